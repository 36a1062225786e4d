"""The PDF writer: a :class:`~shnor_desktop.services.reports.content.Document` on A4 pages.

Every page has the footer «стр. N из M» (the total is known once the last
page is laid out: the canvas keeps each page and numbers them on saving);
the first page opens with the office's letterhead, the document's number and
date and its title.  Tables split across pages and repeat their header row;
their cells are paragraphs, so a long text wraps instead of running out of
its cell.  Charts are vector drawings.  Every text is set in the embedded
DejaVu fonts (``fonts.py``).

The signature block stands at the bottom of the last page, its signed row
always in :data:`SIGNATURE_BOX`: the electronic signature's stamp
(ГОСТ Р 7.0.97-2016, where the signature goes) is placed there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.text import format_date
from shnor_desktop.services.reports import content as c
from shnor_desktop.services.reports.charts import flowable
from shnor_desktop.services.reports.fonts import SANS, SANS_NARROW, SERIF, register_fonts

MM: Final = 72.0 / 25.4
PAGE_WIDTH: Final = 210 * MM
PAGE_HEIGHT: Final = 297 * MM
LEFT: Final = 25 * MM
RIGHT: Final = 15 * MM
TOP: Final = 18 * MM
BOTTOM: Final = 20 * MM
TEXT_WIDTH: Final = PAGE_WIDTH - LEFT - RIGHT

SIGNATURE_BOX: Final = (82 * MM, 30 * MM, 152 * MM, 58 * MM)
"""Where the signed row's stamp goes on the last page: (x1, y1, x2, y2) in PDF points.

The signing engineer's ``sign_pdf`` places the visible stamp of the electronic
signature here; the report leaves the box empty but for a line to sign by hand.
"""
_SIGNED_ROW_BOTTOM: Final = SIGNATURE_BOX[1] - BOTTOM
_SIGNATURE_HEIGHT: Final = SIGNATURE_BOX[3] - BOTTOM + 4 * MM


@dataclass(frozen=True)
class PdfInfo:
    """What the writer made: the page count."""

    pages: int


def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=SERIF, fontSize=11, leading=14.5, alignment=TA_JUSTIFY)
    return {
        "body": ParagraphStyle("body", parent=base, firstLineIndent=10 * MM, spaceAfter=4),
        "lead": ParagraphStyle("lead", parent=base, spaceAfter=4),
        "note": ParagraphStyle(
            "note", parent=base, fontSize=9, leading=11.5, alignment=TA_LEFT, spaceAfter=4
        ),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER, spaceAfter=4),
        "bold": ParagraphStyle("bold", parent=base, fontName=f"{SERIF}-Bold", spaceAfter=4),
        "quote": ParagraphStyle(
            "quote", parent=base, leftIndent=8 * MM, fontName=f"{SERIF}-Italic", spaceAfter=4
        ),
        "bullet": ParagraphStyle(
            "bullet", parent=base, leftIndent=8 * MM, bulletIndent=3 * MM, spaceAfter=2
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=f"{SERIF}-Bold",
            fontSize=13,
            leading=16,
            alignment=TA_CENTER,
            spaceBefore=10,
            spaceAfter=6,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=f"{SERIF}-Bold",
            fontSize=12,
            leading=15,
            alignment=TA_LEFT,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=f"{SERIF}-BoldItalic",
            fontSize=11,
            leading=14,
            alignment=TA_LEFT,
            spaceBefore=6,
            spaceAfter=3,
        ),
        "office": ParagraphStyle(
            "office",
            parent=base,
            fontName=f"{SERIF}-Bold",
            fontSize=12,
            leading=15,
            alignment=TA_CENTER,
        ),
        "address": ParagraphStyle(
            "address", parent=base, fontSize=9, leading=11, alignment=TA_CENTER
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=f"{SERIF}-Bold",
            fontSize=14,
            leading=18,
            alignment=TA_CENTER,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=11.5, leading=15, alignment=TA_CENTER, spaceAfter=8
        ),
        "approval": ParagraphStyle(
            "approval", parent=base, fontSize=10, leading=12.5, alignment=TA_RIGHT
        ),
        "caption": ParagraphStyle(
            "caption",
            parent=base,
            fontName=f"{SERIF}-Italic",
            fontSize=10,
            leading=12.5,
            alignment=TA_CENTER,
            spaceBefore=6,
            spaceAfter=3,
        ),
        "cell": ParagraphStyle("cell", fontName=SANS, fontSize=8, leading=9.8, alignment=TA_LEFT),
        "narrow": ParagraphStyle(
            "narrow", fontName=SANS_NARROW, fontSize=8, leading=9.6, alignment=TA_LEFT
        ),
        "key": ParagraphStyle("key", parent=base, fontSize=10, leading=12.5, alignment=TA_LEFT),
    }


def _text(text: str) -> str:
    """Plain text as paragraph markup: escaped, line breaks kept."""
    return escape(text).replace("\n", "<br/>")


_ALIGN = {"left": 0, "center": 1, "right": 2}


def _cell_style(styles: dict[str, Any], narrow: bool, align: str, bold: bool) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    base = styles["narrow" if narrow else "cell"]
    name = f"{base.name}-{align}-{int(bold)}"
    cache: dict[str, Any] = styles.setdefault("_cells", {})
    if name not in cache:
        font = base.fontName + ("-Bold" if bold else "")
        cache[name] = ParagraphStyle(name, parent=base, alignment=_ALIGN[align], fontName=font)
    return cache[name]


def _table(block: c.Table, styles: dict[str, Any], width: float) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    total = sum(col.width for col in block.columns) or 1.0
    widths = [width * col.width / total for col in block.columns]
    header = [
        Paragraph(_text(col.title), _cell_style(styles, block.narrow, "center", True))
        for col in block.columns
    ]
    data: list[list[Any]] = [header]
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), SANS, 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#808080")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E7E6E6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for index, row in enumerate(block.rows):
        bold = index in block.bold_rows or index in block.group_rows
        if index in block.group_rows:
            cells: list[Any] = [
                Paragraph(_text(row[0]), _cell_style(styles, block.narrow, "left", True))
            ]
            cells += [""] * (len(block.columns) - 1)
            commands.append(("SPAN", (0, index + 1), (-1, index + 1)))
            commands.append(
                ("BACKGROUND", (0, index + 1), (-1, index + 1), colors.HexColor("#F2F2F2"))
            )
        else:
            cells = [
                Paragraph(_text(value), _cell_style(styles, block.narrow, col.align, bold))
                for value, col in zip(row, block.columns, strict=False)
            ]
        data.append(cells)
    for row_index, col_index in block.marked:
        commands.append(
            (
                "BACKGROUND",
                (col_index, row_index + 1),
                (col_index, row_index + 1),
                colors.HexColor("#F8CBAD"),
            )
        )
    table = Table(data, colWidths=widths, repeatRows=1, splitByRow=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    out: list[Any] = []
    if block.caption:
        out.append(Paragraph(_text(block.caption), styles["caption"]))
    out.append(table)
    if block.note:
        out.append(Paragraph(_text(block.note), styles["note"]))
    return out


def _key_values(block: c.KeyValues, styles: dict[str, Any], width: float) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    label = ParagraphStyle("kv-label", parent=styles["key"], textColor=colors.HexColor("#404040"))
    data = [
        [Paragraph(_text(k), label), Paragraph(_text(v), styles["key"])] for k, v in block.pairs
    ]
    table = Table(data, colWidths=[width * 0.38, width * 0.62], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), SANS, 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D9D9D9")),
            ]
        )
    )
    return table


def _signature_flowable(block: c.Signature, styles: dict[str, Any]) -> Any:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Flowable, Paragraph

    position_style = ParagraphStyle("sig", parent=styles["lead"], alignment=0, fontSize=11)
    name_style = ParagraphStyle("sig-name", parent=position_style, alignment=2)
    position_width = SIGNATURE_BOX[0] - LEFT - 4 * MM
    name_width = PAGE_WIDTH - RIGHT - SIGNATURE_BOX[2] - 2 * MM

    class BottomSignature(Flowable):  # type: ignore[misc]
        """The signature lines, always at the bottom of the page they land on."""

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            # All the room left when the block fits: it then draws at the frame's bottom.
            self._height = avail_height if avail_height >= _SIGNATURE_HEIGHT else _SIGNATURE_HEIGHT
            return avail_width, self._height

        def draw(self) -> None:
            canvas = self.canv
            rows = list(block.rows)
            # The signed row in the box, the others (a secretary) beneath it.
            placements = [(_SIGNED_ROW_BOTTOM, SIGNATURE_BOX[3] - SIGNATURE_BOX[1])]
            placements += [(1 * MM, 8 * MM)] * (len(rows) - 1)
            x_box = SIGNATURE_BOX[0] - LEFT
            box_width = SIGNATURE_BOX[2] - SIGNATURE_BOX[0]
            for (position, name), (bottom, height) in zip(rows, placements, strict=False):
                # The position's last line and the name stand on the signing line.
                line_y = bottom + min(height / 2, 6 * MM)
                para = Paragraph(_text(position), position_style)
                para.wrap(position_width, 60 * MM)
                para.drawOn(canvas, 0, line_y - 3)
                named = Paragraph(_text(name), name_style)
                named.wrap(name_width, 30 * MM)
                named.drawOn(canvas, x_box + box_width + 2 * MM, line_y - 3)
                canvas.setLineWidth(0.4)
                canvas.line(x_box + 10 * MM, line_y - 1, x_box + box_width - 10 * MM, line_y - 1)

    return BottomSignature()


def _story(document: c.Document, styles: dict[str, Any]) -> list[Any]:  # noqa: PLR0912 (one block kind after another)
    from reportlab.lib import colors
    from reportlab.platypus import (
        CondPageBreak,
        HRFlowable,
        KeepTogether,
        ListFlowable,
        ListItem,
        PageBreak,
        Paragraph,
        Spacer,
    )

    story: list[Any] = []
    head = document.letterhead
    story.append(Paragraph(_text(head.office), styles["office"]))
    for line in (head.address, head.contacts):
        if line:
            story.append(Paragraph(_text(line), styles["address"]))
    story.append(
        HRFlowable(width="100%", thickness=1.2, color=colors.black, spaceBefore=3, spaceAfter=6)
    )
    if document.approval:
        for line in document.approval:
            story.append(Paragraph(_text(line), styles["approval"]))
        story.append(Spacer(1, 4))
    number = document.number.strip() or "____"
    when = format_date(document.date) if document.date else "__.__.____"
    story.append(Paragraph(_text(f"{when} № {number}"), styles["lead"]))
    story.append(Paragraph(_text(document.title), styles["title"]))
    if document.subtitle:
        story.append(Paragraph(_text(document.subtitle), styles["subtitle"]))
    for block in document.blocks:
        if isinstance(block, c.Heading):
            style = styles[f"h{min(max(block.level, 1), 3)}"]
            # A heading never ends a page: it keeps with room for a few lines after it.
            story.append(CondPageBreak(60))
            story.append(Paragraph(_text(block.text), style))
        elif isinstance(block, c.Paragraph):
            story.append(Paragraph(_text(block.text), styles[block.style]))
        elif isinstance(block, c.Bullets):
            story.append(
                ListFlowable(
                    [
                        ListItem(Paragraph(_text(item), styles["lead"]), leftIndent=8 * MM)
                        for item in block.items
                    ],
                    bulletType="bullet",
                    start="–",
                    leftIndent=8 * MM,
                    bulletFontName=SERIF,
                )
            )
        elif isinstance(block, c.Table):
            parts = _table(block, styles, TEXT_WIDTH)
            if block.caption and len(parts) > 1:
                # The caption stays with the table's first rows.
                story.append(CondPageBreak(80))
            story.extend(parts)
            story.append(Spacer(1, 4))
        elif isinstance(block, c.KeyValues):
            story.append(_key_values(block, styles, TEXT_WIDTH))
            story.append(Spacer(1, 4))
        elif isinstance(block, c.Chart):
            drawing = flowable(block.chart)
            parts = []
            if block.caption:
                parts.append(Paragraph(_text(block.caption), styles["caption"]))
            parts.append(drawing)
            story.append(KeepTogether(parts))
            story.append(Spacer(1, 6))
        elif isinstance(block, c.PageBreak):
            story.append(PageBreak())
    if document.signature is not None:
        story.append(Spacer(1, 8))
        story.append(_signature_flowable(document.signature, styles))
    return story


def _canvas_maker(document: c.Document, pages: list[int]) -> Callable[..., Any]:
    from reportlab.pdfgen.canvas import Canvas

    running = document.running_title

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        """Keeps every page until the end, then writes «стр. N из M» on each."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # The canvas's own starting font is Helvetica (not embedded): start in ours.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or SANS
            kwargs["initialFontSize"] = kwargs.get("initialFontSize") or 10
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            pages.append(total)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setFont(SANS, 8)
            self.setFillGray(0.35)
            self.drawRightString(PAGE_WIDTH - RIGHT, 10 * MM, f"стр. {self._pageNumber} из {total}")
            if running:
                text = running if len(running) <= 110 else running[:107] + "…"
                self.drawString(LEFT, 10 * MM, text)
            self.setLineWidth(0.3)
            self.line(LEFT, 13 * MM, PAGE_WIDTH - RIGHT, 13 * MM)
            self.restoreState()

    return NumberedCanvas


def write_pdf(document: c.Document, out: Path, state: JobState | None = None) -> PdfInfo:
    """Write ``document`` as a PDF to ``out`` (atomically: a failure or Cancel leaves nothing)."""
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    styles = _styles()
    story = _story(document, styles)
    out = Path(out)
    fd, temp_name = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=out.parent)
    os.close(fd)
    pages: list[int] = []
    total = len(story)
    done = [0]

    class Template(SimpleDocTemplate):  # type: ignore[misc]
        def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 (reportlab's name)
            del flowable
            done[0] += 1
            if state is not None:
                state.check()
                if done[0] % 10 == 0 or done[0] == total:
                    state.progress(done[0], total)

    try:
        template = Template(
            temp_name,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            leftMargin=LEFT,
            rightMargin=RIGHT,
            topMargin=TOP,
            bottomMargin=BOTTOM,
            title=document.title,
            author=document.letterhead.office,
            subject=document.subtitle or document.title,
            creator="ШНОР Desktop",
            initialFontName=SANS,
            initialFontSize=10,
            lang="ru-RU",
        )
        template.build(story, canvasmaker=_canvas_maker(document, pages))
        os.replace(temp_name, out)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return PdfInfo(pages=pages[-1] if pages else 0)
