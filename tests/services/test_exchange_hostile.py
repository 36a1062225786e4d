"""Hostile files are refused fast, in bounded memory, in Russian, the database left unchanged.

Each test builds its hostile file (from the program's own template where a
real workbook is needed), previews and commits it, and checks the typed
error, the words the user reads (naming the file) and a dump of the whole
database before and after.
"""

from __future__ import annotations

import io
import os
import re
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import openpyxl
import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.jobs import JobState
from shnor_desktop.services.exchange import layout, reader
from shnor_desktop.services.exchange.errors import (
    EmptyWorkbookFileError,
    EncryptedWorkbookError,
    FormulaWithoutValueError,
    NotATemplateError,
    NotAWorkbookError,
    OldExcelFormatError,
    SheetTooLargeError,
    TruncatedWorkbookError,
    WorkbookFileError,
    XmlEntitiesError,
    ZipBombError,
)
from shnor_desktop.services.exchange.importer import (
    FileStatus,
    ResultStatus,
    commit_import,
    import_history,
    plan_import,
)
from shnor_desktop.services.exchange.templates import write_template
from shnor_desktop.services.messages import describe_error
from tests.services.test_exchange_import import dump

RESULTS_PART = "xl/worksheets/sheet3.xml"  # Инструкция, Паспорт, Результаты, … as written
WORKBOOK_PART = "xl/workbook.xml"


@pytest.fixture
def db(demo_path: Path) -> Iterator[Database]:
    with closing(Database.open(demo_path)) as database:
        yield database


@pytest.fixture
def template(db: Database, tmp_path: Path) -> Path:
    return write_template(db, 1, 2023, tmp_path / "templates")


def refused(db: Database, path: Path, error: type[WorkbookFileError], *words: str) -> str:
    """Preview and commit ``path``; check it is refused with ``error`` and nothing changed."""
    before = dump(db.path)
    started = time.perf_counter()
    plan = plan_import(db, [path], JobState())
    elapsed = time.perf_counter() - started
    (file_plan,) = plan.files
    assert file_plan.status is FileStatus.REJECTED
    assert isinstance(file_plan.error, error), file_plan.error
    results = commit_import(db, plan, plan.files, JobState())
    assert [r.status for r in results] == [ResultStatus.REJECTED]
    assert dump(db.path) == before
    assert import_history(db) == []
    message = describe_error(file_plan.error)
    assert f"«{path.name}»" in message
    for word in words:
        assert word in message
    assert elapsed < 5, f"refusing took {elapsed:.1f} s"
    return message


def rewrite_zip(
    source: Path,
    target: Path,
    replace: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
) -> Path:
    """Copy a workbook archive, replacing or dropping parts."""
    replace = replace or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in drop:
                continue
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
    return target


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def make_cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal but valid OLE compound file (CFB v3) holding the given streams (≤ 3)."""
    sector = 512
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    data_sectors: list[bytes] = []
    entries: list[tuple[str, int, int]] = []
    for name, given in streams.items():
        content = given.ljust(max(len(given), 4096), b"\x00")  # past the mini stream cutoff
        start = 2 + len(data_sectors)
        for offset in range(0, len(content), sector):
            data_sectors.append(content[offset : offset + sector].ljust(sector, b"\x00"))
        entries.append((name, start, len(content)))
    fat = [fat_sector, end]
    for _name, start, size in entries:
        count = -(-size // sector)
        fat += [start + i + 1 for i in range(count - 1)] + [end]
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, *, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<iii", -1, right, child)
            + b"\x00" * 16
            + struct.pack("<I", 0)
            + b"\x00" * 16
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1, -1, start=end, size=0)
    for index, (name, start, size) in enumerate(entries, start=1):
        right = index + 1 if index < len(entries) else -1
        directory += entry(name, 2, -1, right, start=start, size=size)
    directory = directory.ljust(sector, b"\x00")
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 0x1000, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    assert len(header) == sector
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + b"".join(data_sectors)


# --------------------------------------------------------------------------- not a workbook
def test_random_bytes_are_not_a_workbook(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "школа.xlsx"
    path.write_bytes(os.urandom(3000).replace(b"PK", b"pk"))
    refused(db, path, NotAWorkbookError, "это не книга Excel")


def test_a_letter_renamed_to_xlsx_is_not_a_workbook(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "отчёт.xlsx"
    path.write_text("Уважаемые коллеги! Направляем сведения…", encoding="utf-8")
    refused(db, path, NotAWorkbookError, "текстовый файл")


def test_a_file_gone_before_reading(db: Database, tmp_path: Path) -> None:
    plan = plan_import(db, [tmp_path / "был.xlsx"], JobState())
    (file_plan,) = plan.files
    assert file_plan.status is FileStatus.REJECTED
    assert describe_error(file_plan.error) == (  # type: ignore[arg-type]
        "Файл «был.xlsx» не найден: возможно, флешку отключили или файл переместили."
    )


def test_an_empty_file(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "пусто.xlsx"
    path.write_bytes(b"")
    refused(db, path, EmptyWorkbookFileError, "пуст (0 байт)")


def test_a_truncated_workbook(db: Database, template: Path, tmp_path: Path) -> None:
    data = template.read_bytes()
    path = tmp_path / "обрезан.xlsx"
    path.write_bytes(data[: len(data) // 2])
    refused(db, path, TruncatedWorkbookError, "повреждён или обрезан")


def test_a_damaged_part_is_refused(db: Database, template: Path, tmp_path: Path) -> None:
    data = bytearray(template.read_bytes())
    with zipfile.ZipFile(template) as archive:
        info = archive.getinfo(RESULTS_PART)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 40
    data[start : start + 64] = bytes(64)  # bytes of the compressed sheet overwritten
    path = tmp_path / "испорчен.xlsx"
    path.write_bytes(bytes(data))
    refused(db, path, TruncatedWorkbookError, "повреждён")


def test_a_renamed_pdf(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "результаты.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    refused(db, path, NotAWorkbookError, "документ PDF")


def test_an_old_xls_workbook_gets_the_advice_to_save_as_xlsx(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "старый.xls"
    path.write_bytes(make_cfb({"Workbook": b"\x09\x08" + bytes(200)}))
    refused(db, path, OldExcelFormatError, "Excel 97–2003", "сохраните как .xlsx")


def test_an_encrypted_workbook(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "с паролем.xlsx"
    path.write_bytes(
        make_cfb(
            {
                "EncryptionInfo": b"\x04\x00\x04\x00" + bytes(100),
                "EncryptedPackage": os.urandom(5000),
            }
        )
    )
    refused(db, path, EncryptedWorkbookError, "защищён паролем")


def test_a_zip_without_a_workbook(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "архив.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("фото.jpg", b"\xff\xd8\xff" + bytes(100))
        archive.writestr("readme.txt", "Сведения в приложении")
    refused(db, path, NotAWorkbookError, "архив, в котором нет книги Excel")


def test_a_libreoffice_ods_table_gets_the_advice(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "таблица.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    refused(db, path, NotAWorkbookError, "LibreOffice (.ods)", "«Книга Excel (.xlsx)»")


def test_a_workbook_without_the_sheets_of_a_template(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "чужая.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Лист1"
    sheet["A1"] = "что-то своё"
    book.save(path)
    refused(db, path, NotATemplateError, "не похож на шаблон школы", "«Лист1»")


# --------------------------------------------------------------------------- zip bombs
def _patch_sizes(path: Path, name: str, size: int, *, local: bool) -> None:
    """Rewrite the declared unpacked size of one part (central directory, local header)."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + name_length]) == encoded:
            struct.pack_into("<I", data, position + 24, size)
            offset = struct.unpack_from("<I", data, position + 42)[0]
            if local:
                struct.pack_into("<I", data, offset + 22, size)
        position = data.find(b"PK\x01\x02", position + 4)
    path.write_bytes(bytes(data))


def test_a_zip_bomb_by_its_declared_size_is_refused_before_unpacking(
    db: Database, template: Path, tmp_path: Path
) -> None:
    path = rewrite_zip(template, tmp_path / "бомба.xlsx")
    _patch_sizes(path, RESULTS_PART, 3_900_000_000, local=False)
    tracemalloc.start()
    try:
        refused(db, path, ZipBombError, "при распаковке он занял бы слишком много места")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024


def test_a_zip_bomb_by_its_compression_ratio(db: Database, template: Path, tmp_path: Path) -> None:
    head = part(template, RESULTS_PART)
    cut = head.index(b"</sheetData>")
    filler = b"<!-- " + b" " * 60_000_000 + b" -->"
    path = rewrite_zip(
        template, tmp_path / "бомба.xlsx", {RESULTS_PART: head[:cut] + filler + head[cut:]}
    )
    assert path.stat().st_size < 1_000_000
    refused(db, path, ZipBombError, "слишком много места")


def test_a_part_that_unpacks_to_more_than_it_declares(
    db: Database, template: Path, tmp_path: Path
) -> None:
    head = part(template, RESULTS_PART)
    cut = head.index(b"</sheetData>")
    padded = head[:cut] + b"<!--" + b" " * 2_000_000 + b"-->" + head[cut:]
    path = rewrite_zip(template, tmp_path / "лжёт.xlsx", {RESULTS_PART: padded})
    _patch_sizes(path, RESULTS_PART, 20_000, local=True)
    message = refused(db, path, WorkbookFileError)
    assert "повреждён" in message or "слишком много места" in message


# --------------------------------------------------------------------------- XML tricks
def test_xxe_in_the_workbook_part(db: Database, template: Path, tmp_path: Path) -> None:
    original = part(template, WORKBOOK_PART)
    evil = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        + original[original.index(b"<workbook") :]
    )
    path = rewrite_zip(template, tmp_path / "xxe.xlsx", {WORKBOOK_PART: evil})
    refused(db, path, XmlEntitiesError, "DOCTYPE/ENTITY")


def test_billion_laughs_in_a_sheet(db: Database, template: Path, tmp_path: Path) -> None:
    lol = b'<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    body = part(template, RESULTS_PART)
    evil = (
        b'<?xml version="1.0"?>\n<!DOCTYPE worksheet ['
        + lol
        + b"]>\n"
        + body[body.index(b"<worksheet") :]
    )
    evil = evil.replace(b"<v>10</v>", b"<v>&lol9;</v>", 1)
    path = rewrite_zip(template, tmp_path / "lol.xlsx", {RESULTS_PART: evil})
    refused(db, path, XmlEntitiesError, "DOCTYPE/ENTITY")


@pytest.mark.parametrize("part_name", [RESULTS_PART, "xl/styles.xml"])
def test_a_doctype_behind_a_comment_is_found(
    db: Database, template: Path, tmp_path: Path, part_name: str
) -> None:
    """A «<» inside a comment must not pass for the root element and hide the DOCTYPE after it."""
    body = part(template, part_name)
    root = re.search(rb"<(?![?!])", body)
    assert root is not None
    evil = (
        b'<?xml version="1.0"?><!-- <worksheet> --><!DOCTYPE x [<!ENTITY e "e">]>'
        + body[root.start() :]
    )
    path = rewrite_zip(template, tmp_path / "comment.xlsx", {part_name: evil})
    refused(db, path, XmlEntitiesError, "DOCTYPE/ENTITY")


def test_entities_in_a_part_the_reader_does_not_ask_for(
    db: Database, template: Path, tmp_path: Path
) -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'
    path = rewrite_zip(template, tmp_path / "styles.xlsx", {"xl/styles.xml": evil})
    refused(db, path, XmlEntitiesError)


# --------------------------------------------------------------------------- size of sheets
def _sheet_xml(rows: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + rows + b"</sheetData></worksheet>"
    )


@pytest.mark.parametrize(
    ("rows", "name"),
    [
        (
            b'<row r="1"><c r="A1"><v>1</v></c></row>'
            b'<row r="1000000"><c r="A1000000"><v>1</v></c></row>',
            "million",
        ),
        (b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>', "xfd"),
        (
            b"".join(b"<row><c><v>%d</v></c></row>" % i for i in range(150_000)),
            "rows-without-numbers",
        ),
        (b"<row r = \"1\"><c r = 'A1048576'><v>1</v></c></row>", "odd-spacing"),
        # Cells without a reference go after the previous one: 100 of them pass column BL.
        (b"<row><c><v>1</v></c>" + b"<c><v>2</v></c>" * 99 + b"</row>", "cells-without-references"),
        (b'<row r="1"><c r="BL1"><v>1</v></c><c><v>2</v></c></row>', "one-after-the-last-column"),
        (
            b'<row r="1" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<x:c r="XFD1"><x:v>1</x:v></x:c></row>',
            "prefixed-cell",
        ),
    ],
)
def test_a_sheet_too_large_is_refused_before_it_is_read(
    db: Database, template: Path, tmp_path: Path, rows: bytes, name: str
) -> None:
    path = rewrite_zip(template, tmp_path / f"{name}.xlsx", {RESULTS_PART: _sheet_xml(rows)})
    tracemalloc.start()
    try:
        message = refused(db, path, SheetTooLargeError, "лист «Результаты» слишком велик")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "100 000 строк" in message
    assert peak < 100 * 1024 * 1024


def test_a_sheet_of_countless_merged_ranges_is_refused(
    db: Database, template: Path, tmp_path: Path
) -> None:
    merges = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (i, i) for i in range(1, 20_002, 2))
    sheet = _sheet_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>').replace(
        b"</worksheet>", b'<mergeCells count="10001">' + merges + b"</mergeCells></worksheet>"
    )
    path = rewrite_zip(template, tmp_path / "merged.xlsx", {RESULTS_PART: sheet})
    refused(db, path, SheetTooLargeError, "слишком велик")


def test_a_dimension_beyond_the_limits_is_refused(
    db: Database, template: Path, tmp_path: Path
) -> None:
    body = part(template, RESULTS_PART)
    huge = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', body)
    assert huge != body
    path = rewrite_zip(template, tmp_path / "dimension.xlsx", {RESULTS_PART: huge})
    refused(db, path, SheetTooLargeError)


# --------------------------------------------------------------------------- formulas
def test_formulas_instead_of_values_name_the_sheet_and_cell(
    db: Database, template: Path, tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(template)
    book[layout.SHEET_RESULTS]["E5"] = "=F5+G5+H5+I5"  # openpyxl saves no calculated value
    path = tmp_path / "формулы.xlsx"
    book.save(path)
    message = refused(
        db, path, FormulaWithoutValueError, "лист «Результаты», ячейка E5", "=F5+G5+H5+I5"
    )
    assert "замените формулы числами" in message


def test_formulas_with_their_values_are_read(db: Database, template: Path, tmp_path: Path) -> None:
    body = part(template, RESULTS_PART)
    cell = re.search(rb'<c r="E5"[^>]*>(<v>[^<]*</v>)</c>', body)
    assert cell is not None
    computed = body.replace(cell[0], cell[0].replace(cell[1], b"<f>F5+G5+H5+I5</f><v>11</v>"))
    path = rewrite_zip(template, tmp_path / "вычислено.xlsx", {RESULTS_PART: computed})
    plan = plan_import(db, [path], JobState())
    (file_plan,) = plan.files
    assert file_plan.status is FileStatus.UPDATE, file_plan.error
    change = next(c for c in file_plan.changes if c.cell == "E5")
    assert (change.new, change.kind) == (11, "changed")


# --------------------------------------------------------------------------- the reader alone
def test_the_reader_refuses_before_calamine_sees_the_file(template: Path, tmp_path: Path) -> None:
    """The limits hold for the reader as a library too (no database involved)."""
    path = rewrite_zip(
        template,
        tmp_path / "big.xlsx",
        {RESULTS_PART: _sheet_xml(b'<row r="200001"><c r="B200001"><v>1</v></c></row>')},
    )
    with pytest.raises(SheetTooLargeError) as caught:
        reader.read_workbook(path)
    assert caught.value.rows == 200_001
    assert reader.read_workbook(template).sheet_names[-1] == layout.SHEET_SIGNATURE


def test_cells_are_named_the_excel_way() -> None:
    assert [
        reader.cell_name(0, 0),
        reader.cell_name(6, 4),
        reader.cell_name(0, 26),
        reader.cell_name(9, 701),
    ] == [
        "A1",
        "E7",
        "AA1",
        "ZZ10",
    ]


def test_sniffing_looks_at_bytes_not_names(tmp_path: Path) -> None:
    workbook = io.BytesIO()
    openpyxl.Workbook().save(workbook)
    named_pdf = tmp_path / "табличка.pdf"
    named_pdf.write_bytes(workbook.getvalue())
    assert reader.sniff(named_pdf) == "xlsx"
    csv_file = tmp_path / "results.csv"
    csv_file.write_bytes("Код школы;Учебный год\r\n01;2023\r\n".encode("cp1251"))
    assert reader.sniff(csv_file) == "csv"
