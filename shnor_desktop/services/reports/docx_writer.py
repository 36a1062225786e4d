"""The Word writer: the same document as the PDF, as an editable DOCX (python-docx).

The sections, tables and charts are those of the PDF (one
:class:`~shnor_desktop.services.reports.content.Document` feeds both); charts
become PNG pictures drawn from the same layout (``charts.to_png``).  Text is
set in Times New Roman and tables in Arial, which Word has everywhere and
LibreOffice replaces with its metric-compatible Liberation fonts; the header
row of a table repeats on every page; the footer says «стр. N из M» with
Word's own fields.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any, Final

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.text import format_date
from shnor_desktop.services.reports import content as c
from shnor_desktop.services.reports.charts import to_png

TEXT_FONT: Final = "Times New Roman"
TABLE_FONT: Final = "Arial"
TEXT_WIDTH_MM: Final = 170
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _set_font(
    run_or_style: Any, name: str, size: float | None = None, bold: bool | None = None
) -> None:
    font = run_or_style.font
    font.name = name
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    # Word takes Cyrillic from the «cs»/«eastAsia» slots of some templates: name them all.
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element  # noqa: SLF001
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), name)


def _styles(doc: Any) -> None:
    normal = doc.styles["Normal"]
    _set_font(normal, TEXT_FONT, 12)
    normal.paragraph_format.space_after = Pt(4)
    for level, size in ((1, 14), (2, 13), (3, 12)):
        style = doc.styles[f"Heading {level}"]
        _set_font(style, TEXT_FONT, size, True)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = level == 3
        style.paragraph_format.space_before = Pt(10 if level == 1 else 6)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
        if level == 1:
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _field(paragraph: Any, code: str) -> None:
    """Insert a Word field (PAGE, NUMPAGES) into a paragraph."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = code
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for part in (begin, instr, separate, text, end):
        run._r.append(part)  # noqa: SLF001 (python-docx has no field API)
    _set_font(run, TABLE_FONT, 8)


def _bottom_border(paragraph: Any) -> None:
    ppr = paragraph._p.get_or_add_pPr()  # noqa: SLF001
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "12"),
        ("w:space", "1"),
        ("w:color", "000000"),
    ):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _shade(cell: Any, color: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()  # noqa: SLF001
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), color)
    tcpr.append(shading)


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()  # noqa: SLF001
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _no_borders(table: Any) -> None:
    tblpr = table._tbl.tblPr  # noqa: SLF001
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tblpr.append(borders)


def _cell_text(
    cell: Any, text: str, align: str = "left", bold: bool = False, size: float = 9
) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = _ALIGN[align]
    paragraph.paragraph_format.space_after = Pt(0)
    lines = text.split("\n")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        _set_font(run, TABLE_FONT, size, bold)
        if index < len(lines) - 1:
            run.add_break(WD_BREAK.LINE)


def _paragraph(doc: Any, text: str, style: str = "body") -> Any:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    fmt = paragraph.paragraph_format
    if style == "body":
        fmt.first_line_indent = Mm(10)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    elif style == "center":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif style == "bold":
        run.bold = True
    elif style == "note":
        run.font.size = Pt(10)
    elif style == "quote":
        run.italic = True
        fmt.left_indent = Mm(8)
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    return paragraph


def _caption(doc: Any, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    run = paragraph.add_run(text)
    run.italic = True
    run.font.size = Pt(11)


def _table(doc: Any, block: c.Table) -> None:
    if block.caption:
        _caption(doc, block.caption)
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    total = sum(col.width for col in block.columns) or 1.0
    widths = [Mm(TEXT_WIDTH_MM * col.width / total) for col in block.columns]
    size = 8 if block.narrow else 9
    header = table.rows[0]
    _repeat_header(header)
    for cell, col, width in zip(header.cells, block.columns, widths, strict=True):
        _cell_text(cell, col.title, "center", True, size)
        _shade(cell, "E7E6E6")
        cell.width = width
    for index, values in enumerate(block.rows):
        row = table.add_row()
        cells = row.cells
        if index in block.group_rows:
            merged = cells[0].merge(cells[-1])
            _cell_text(merged, values[0], "left", True, size)
            _shade(merged, "F2F2F2")
            continue
        bold = index in block.bold_rows
        for col_index, (cell, col, width) in enumerate(
            zip(cells, block.columns, widths, strict=True)
        ):
            _cell_text(
                cell, values[col_index] if col_index < len(values) else "", col.align, bold, size
            )
            cell.width = width
            if (index, col_index) in block.marked:
                _shade(cell, "F8CBAD")
    if block.note:
        _paragraph(doc, block.note, "note")


def _key_values(doc: Any, block: c.KeyValues) -> None:
    table = doc.add_table(rows=0, cols=2)
    _no_borders(table)
    for label, value in block.pairs:
        cells = table.add_row().cells
        _cell_text(cells[0], label, size=10)
        _cell_text(cells[1], value, size=10)
        cells[0].width = Mm(TEXT_WIDTH_MM * 0.38)
        cells[1].width = Mm(TEXT_WIDTH_MM * 0.62)
    doc.add_paragraph()


def _signature(doc: Any, block: c.Signature) -> None:
    doc.add_paragraph()
    table = doc.add_table(rows=0, cols=3)
    _no_borders(table)
    for position, name in block.rows:
        cells = table.add_row().cells
        _cell_text(cells[0], position, size=12)
        _cell_text(cells[1], "\n\n_______________________", "center", size=12)
        _cell_text(cells[2], name, "right", size=12)
        for cell, width in zip(cells, (60, 70, 40), strict=True):
            cell.width = Mm(width)
            cell.paragraphs[0].runs[0].font.name = TEXT_FONT


def write_docx(document: c.Document, out: Path, state: JobState | None = None) -> None:  # noqa: PLR0912, PLR0915 (one block kind after another)
    """Write ``document`` as a DOCX to ``out`` (atomically: a failure or Cancel leaves nothing)."""
    doc = new_document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(15)
    section.top_margin, section.bottom_margin = Mm(18), Mm(20)
    _styles(doc)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    lead = footer.add_run(
        f"{document.running_title}    стр. " if document.running_title else "стр. "
    )
    _set_font(lead, TABLE_FONT, 8)
    _field(footer, "PAGE")
    middle = footer.add_run(" из ")
    _set_font(middle, TABLE_FONT, 8)
    _field(footer, "NUMPAGES")

    head = document.letterhead
    office = doc.add_paragraph()
    office.alignment = WD_ALIGN_PARAGRAPH.CENTER
    office.add_run(head.office).bold = True
    for line in (head.address, head.contacts):
        if line:
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(line).font.size = Pt(10)
    _bottom_border(doc.paragraphs[-1])
    for line in document.approval:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.add_run(line)
    when = format_date(document.date) if document.date else "__.__.____"
    doc.add_paragraph(f"{when} № {document.number.strip() or '____'}")
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(document.title)
    run.bold = True
    run.font.size = Pt(14)
    if document.subtitle:
        for line in document.subtitle.split("\n"):
            _paragraph(doc, line, "center")

    total = len(document.blocks)
    for index, block in enumerate(document.blocks, start=1):
        if state is not None:
            state.check()
            if index % 10 == 0 or index == total:
                state.progress(index, total)
        if isinstance(block, c.Heading):
            doc.add_heading(block.text, min(max(block.level, 1), 3))
        elif isinstance(block, c.Paragraph):
            _paragraph(doc, block.text, block.style)
        elif isinstance(block, c.Bullets):
            for item in block.items:
                p = doc.add_paragraph(style="List Bullet")
                p.add_run(item)
        elif isinstance(block, c.Table):
            _table(doc, block)
        elif isinstance(block, c.KeyValues):
            _key_values(doc, block)
        elif isinstance(block, c.Chart):
            if block.caption:
                _caption(doc, block.caption)
            doc.add_picture(io.BytesIO(to_png(block.chart)), width=Mm(TEXT_WIDTH_MM))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, c.PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    if document.signature is not None:
        _signature(doc, document.signature)
    out = Path(out)
    fd, temp_name = tempfile.mkstemp(prefix=".report-", suffix=".docx", dir=out.parent)
    os.close(fd)
    try:
        doc.save(temp_name)
        os.replace(temp_name, out)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
