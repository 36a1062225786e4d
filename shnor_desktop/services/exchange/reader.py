"""Safe reading of a workbook (.xlsx) or a CSV table that came from outside.

Files come on USB sticks and by mail: anything may arrive.  Before a single
value is read the file is **sniffed by its bytes** (not its name) and refused,
fast and in bounded memory, with a typed error when it is:

* empty, a PDF, a Word or HTML file, a picture, an old Excel 97–2003 file
  (.xls: «сохраните как .xlsx»), another old Office file, a file protected by
  a password to open (an OLE container with an ``EncryptedPackage`` stream),
  a LibreOffice .ods table;
* a zip that is truncated or damaged, that holds no workbook, or that is a
  **zip bomb**: the declared sizes and compression ratios in the archive's
  directory are checked before anything is unpacked (under a millisecond),
  and every part is then unpacked with a cap, so a part that unpacks to more
  than its header says is caught too;
* a workbook with a DOCTYPE or entity declarations in any XML part (XXE,
  «billion laughs»): only the prolog of a part can hold them, so only its
  head is read;
* a workbook with a sheet of more rows or columns than a school's workbook
  needs (a million rows; a single cell at XFD1048576, which would make the
  reader allocate the whole rectangle), looked for in the sheet's XML before
  the reader sees it;
* a workbook whose cells hold formulas without a calculated value (a file
  written by a program that never calculated it).

Then the values are read with python-calamine (not pandas, not openpyxl):
only the sheets asked for, each as a grid of cells at their real positions,
with the merged ranges.  CSV is read in UTF-8 (with or without BOM) or
cp1251, with «;», «,» or tab between the values and any line ends.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

from shnor_desktop.services.exchange.errors import (
    EmptyWorkbookFileError,
    EncryptedWorkbookError,
    FileTooLargeError,
    FormulaWithoutValueError,
    NotAWorkbookError,
    OldExcelFormatError,
    SheetTooLargeError,
    TruncatedWorkbookError,
    UnreadableWorkbookError,
    WorkbookFileError,
    XmlEntitiesError,
    ZipBombError,
)
from shnor_desktop.services.exchange.layout import SHEET_CSV, header_key

CellValue = int | float | str | bool | date | datetime | time | timedelta

# --- limits (a school's workbook is small: a few hundred rows; a region's table 100,000) ---
MAX_ROWS: Final = 100_000
"""Rows a sheet may have (the highest row number, and the number of rows written)."""
MAX_COLUMNS: Final = 64
"""Columns a sheet may have (A … BL)."""
MAX_MERGED: Final = 10_000
"""Merged ranges a sheet may have (each becomes an object of the reader)."""
MAX_ENTRIES: Final = 2_000
"""Parts a workbook archive may hold."""
MAX_PART_SIZE: Final = 160 * 1024 * 1024
"""Bytes one part may unpack to (a 100,000-row sheet is about 60 MB of XML)."""
MAX_TOTAL_SIZE: Final = 320 * 1024 * 1024
"""Bytes the whole archive may unpack to."""
MAX_RATIO: Final = 200
"""Unpacked ÷ packed size allowed for a part larger than :data:`RATIO_FLOOR`."""
RATIO_FLOOR: Final = 1024 * 1024
MAX_PROLOG: Final = 64 * 1024
"""Bytes of an XML part read to find its root element (a DOCTYPE can only come before it)."""
MAX_CSV_SIZE: Final = 64 * 1024 * 1024
"""Bytes a CSV table may have."""
_CHUNK: Final = 1 << 20
TEXT_SUFFIXES: Final = (".csv", ".txt", ".tsv")
"""Names under which a text file is read as a CSV table."""

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS: Final = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_IMAGE_MAGICS: Final = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


_OLE_ENCRYPTED: Final = (_utf16("EncryptedPackage"), _utf16("EncryptionInfo"))
_OLE_WORKBOOK: Final = (_utf16("Workbook"), _utf16("Book"))
_OLE_WORD: Final = (_utf16("WordDocument"),)

_MAIN_NS: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT: Final = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
)


@dataclass(frozen=True)
class SheetData:
    """One sheet as read: its cells at their real positions (``rows[0][0]`` is A1).

    Blank cells are ``""`` (as calamine gives them); numbers are floats, as
    calamine gives them (the importer reads whole ones as ints).  ``merged`` holds
    the merged ranges as ((first row, first column), (last row, last column)),
    0-based.
    """

    name: str
    visible: bool
    rows: list[list[CellValue]]
    merged: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()

    def value(self, row: int, column: int) -> CellValue:
        """The value at 0-based ``row``, ``column`` (``""`` outside the grid)."""
        if 0 <= row < len(self.rows):
            line = self.rows[row]
            if 0 <= column < len(line):
                return line[column]
        return ""


@dataclass(frozen=True)
class WorkbookData:
    """What a file held: its SHA-256, its kind («xlsx» or «csv»), the sheets asked for.

    ``sheet_names`` lists every sheet of the workbook in order (read or not).
    """

    path: Path
    sha256: str
    kind: str
    sheet_names: tuple[str, ...]
    sheets: dict[str, SheetData] = field(default_factory=dict)

    def find(self, aliases: tuple[str, ...]) -> SheetData | None:
        """The sheet whose name (folded) is one of ``aliases``, else None."""
        for name, sheet in self.sheets.items():
            if header_key(name) in aliases:
                return sheet
        return None


def cell_name(row: int, column: int) -> str:
    """«E7» for 0-based ``row`` 6 and ``column`` 4."""
    letters = ""
    number = column + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


# --------------------------------------------------------------------------- sniffing
def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _ole_kind(path: Path) -> str:
    """What an OLE compound file holds: «encrypted», «xls», «word» or «ole».

    The directory entries name the streams in UTF-16; the file is scanned in
    chunks (bounded memory) for those names.
    """
    found: set[str] = set()
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            block = tail + chunk
            if any(name in block for name in _OLE_ENCRYPTED):
                return "encrypted"
            if any(name in block for name in _OLE_WORKBOOK):
                found.add("xls")
            if any(name in block for name in _OLE_WORD):
                found.add("word")
            tail = block[-64:]
    if "xls" in found:
        return "xls"
    return "word" if "word" in found else "ole"


def _looks_textual(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a character cut by the end of the sample is no proof
            try:
                head.decode("cp1251")
            except UnicodeDecodeError:
                return False
    return True


def _foreign_kind(head: bytes) -> str | None:
    """What a file that is no workbook looks like by its first bytes (None: maybe a table)."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = stripped[:512].lower()
    if stripped.startswith(b"%PDF"):
        kind = "pdf"
    elif stripped.startswith(_IMAGE_MAGICS):
        kind = "image"
    elif stripped.startswith(b"{\\rtf"):
        kind = "word"
    elif lowered.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        kind = "html"
    elif lowered.startswith(b"<?xml"):
        spreadsheet = b"urn:schemas-microsoft-com:office:spreadsheet" in head
        kind = "xml2003" if spreadsheet or b"<workbook" in head.lower() else "unknown"
    else:
        return None
    return kind


def sniff(path: Path) -> str:
    """Tell what a file is by its bytes: «xlsx» or «csv»; raise a typed error for anything else."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise EmptyWorkbookFileError(path)
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith(_ZIP_MAGICS):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        ole = _ole_kind(path)
        if ole == "encrypted":
            raise EncryptedWorkbookError(path)
        if ole == "xls":
            raise OldExcelFormatError(path)
        raise NotAWorkbookError(path, ole)
    foreign = _foreign_kind(head)
    if foreign is not None:
        raise NotAWorkbookError(path, foreign)
    if _looks_textual(head):
        # Text is a table only under a table's name: a letter renamed to .xlsx is not one.
        if path.suffix.lower() in TEXT_SUFFIXES:
            return "csv"
        raise NotAWorkbookError(path, "text")
    raise NotAWorkbookError(path, "unknown")


# --------------------------------------------------------------------------- the archive
def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise TruncatedWorkbookError(path, str(exc)) from exc
    except (OSError, ValueError, EOFError) as exc:
        raise TruncatedWorkbookError(path, str(exc)) from exc


def check_archive(path: Path, archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Check the archive's directory (declared sizes, ratios, count) before unpacking anything."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ZipBombError(path, "", len(infos), MAX_ENTRIES, "entries")
    total = 0
    size = path.stat().st_size
    parts: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        if info.flag_bits & 0x1:
            raise EncryptedWorkbookError(path)
        if info.header_offset + info.compress_size > size:
            raise TruncatedWorkbookError(path, f"part {info.filename} ends after the file")
        if info.file_size > MAX_PART_SIZE:
            raise ZipBombError(path, info.filename, info.file_size, MAX_PART_SIZE, "size")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ZipBombError(path, info.filename, info.file_size, MAX_RATIO, "ratio")
        total += info.file_size
        if total > MAX_TOTAL_SIZE:
            raise ZipBombError(path, "", total, MAX_TOTAL_SIZE, "size")
        parts[info.filename.lstrip("/")] = info
    return parts


def _read_capped(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Unpack a part in chunks, refusing it when it gives more than its declared size."""
    given = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                given += len(chunk)
                if given > info.file_size:
                    raise ZipBombError(path, info.filename, info.file_size, info.file_size, "lying")
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:  # CRC, cut
        raise TruncatedWorkbookError(path, f"{info.filename}: {exc}") from exc
    except RuntimeError as exc:  # a part needing a password
        raise EncryptedWorkbookError(path) from exc


def _decode_head(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace")
    if len(head) > 1 and head[1:2] == b"\x00":
        return head.decode("utf-16-le", errors="replace")
    if head.startswith(b"\x00"):
        return head.decode("utf-16-be", errors="replace")
    return head.decode("utf-8", errors="replace")


_ROOT_START: Final = re.compile(r"<(?![?!])")


def _check_prolog(path: Path, name: str, head: bytes) -> None:
    """Refuse a part whose prolog declares a DOCTYPE or entities (or that hides its root)."""
    text = _decode_head(head[:MAX_PROLOG])
    root = _ROOT_START.search(text)
    prolog = text if root is None else text[: root.start()]
    upper = prolog.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise XmlEntitiesError(path, name)
    if root is None and len(head) >= MAX_PROLOG:
        raise XmlEntitiesError(path, name)  # 64 KB of comments before the root: not a workbook


def _read_part(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A small XML part in full, after its prolog was checked."""
    data = b"".join(_read_capped(path, archive, info))
    _check_prolog(path, info.filename, data)
    return data


def _scan_parts(
    path: Path, archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], skip: set[str]
) -> None:
    """Check every XML part but those in ``skip``: its prolog, its size and its checksum.

    The part is unpacked in chunks and dropped (bounded memory); zipfile stops
    at the declared size and checks the CRC, so a part that unpacks to more
    than its header says is refused here, before the reader sees it.
    """
    for name, info in parts.items():
        lowered = name.lower()
        if name in skip or not lowered.endswith((".xml", ".rels", ".vml")):
            continue
        chunks = _read_capped(path, archive, info)
        head = b""
        for chunk in chunks:
            if len(head) < MAX_PROLOG:
                head += chunk[: MAX_PROLOG - len(head)]
                if len(head) >= MAX_PROLOG:
                    _check_prolog(path, name, head)
        _check_prolog(path, name, head)


def _parse_xml(data: bytes) -> Any:
    from defusedxml import ElementTree  # type: ignore[import-untyped]

    return ElementTree.fromstring(data, forbid_dtd=True)


@dataclass(frozen=True)
class _SheetPart:
    name: str
    part: str
    visible: bool


def _workbook_part(path: Path, archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo]) -> str:
    """The path of the workbook part (from the package relationships; usually xl/workbook.xml)."""
    rels = parts.get("_rels/.rels")
    if rels is not None:
        try:
            root = _parse_xml(_read_part(path, archive, rels))
        except ValueError:
            root = None
        if root is not None:
            for rel in root.iter(f"{{{_PKG_REL_NS}}}Relationship"):
                if rel.get("Type") in _OFFICE_DOCUMENT:
                    target = posixpath.normpath(str(rel.get("Target", "")).lstrip("/"))
                    if target in parts:
                        return target
    if "xl/workbook.xml" in parts:
        return "xl/workbook.xml"
    names = set(parts)
    if "content.xml" in names and "mimetype" in names:
        raise NotAWorkbookError(path, "ods")
    if "word/document.xml" in names:
        raise NotAWorkbookError(path, "word")
    raise NotAWorkbookError(path, "zip")


def _sheet_parts(
    path: Path, archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], workbook: str
) -> list[_SheetPart]:
    """The sheets of the workbook in order, each with its part and visibility."""
    folder = posixpath.dirname(workbook)
    rels_name = posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels")
    targets: dict[str, str] = {}
    try:
        if rels_name in parts:
            for rel in _parse_xml(_read_part(path, archive, parts[rels_name])).iter(
                f"{{{_PKG_REL_NS}}}Relationship"
            ):
                target = str(rel.get("Target", ""))
                full = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target))
                )
                targets[str(rel.get("Id", ""))] = full
        root = _parse_xml(_read_part(path, archive, parts[workbook]))
    except WorkbookFileError:
        raise
    except ValueError as exc:  # defusedxml refuses entities; a broken part is unreadable
        if "DTD" in str(exc) or "entit" in str(exc).lower():
            raise XmlEntitiesError(path, workbook) from exc
        raise UnreadableWorkbookError(path, str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any parse failure of a damaged part
        raise UnreadableWorkbookError(path, f"{type(exc).__name__}: {exc}") from exc
    sheets: list[_SheetPart] = []
    for sheet in root.iter(f"{{{_MAIN_NS}}}sheet"):
        rel_id = sheet.get(f"{{{_REL_NS}}}id", "")
        sheets.append(
            _SheetPart(
                name=str(sheet.get("name", "")),
                part=targets.get(str(rel_id), ""),
                visible=sheet.get("state", "visible") == "visible",
            )
        )
    return sheets


# Patterns over a sheet's XML (bytes).  Each begins with a literal, so the regex
# engine skips through tens of megabytes quickly.
_FAR_ROW: Final = re.compile(rb'r="[A-Za-z]{0,3}[0-9]{6}')
"""A usual reference (r="…") at row 100,000 or further (six digits)."""
_WIDE_COLUMN: Final = re.compile(rb'r="(?:[A-Za-z]{3}|[C-Zc-z][A-Za-z]|[Bb][M-Zm-z])[0-9]')
"""A usual reference at column BM (65) or further."""
_ODD_REFERENCE: Final = re.compile(rb"r(?:\s+=|=[\s'])")
"""An ``r`` attribute written another way (spaces around «=», single quotes): read them all."""
_ANY_REFERENCE: Final = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{0,3})0*([0-9]{1,12})[\"']")
_FORMULA: Final = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")
_FORMULA_QUICK: Final = (re.compile(rb"<f[\s>/]"), re.compile(rb":f[\s>/]"))
"""A formula element, plain or prefixed: two literal searches (one optional prefix is slow)."""
_DIMENSION: Final = re.compile(
    rb'<(?:[A-Za-z0-9_]+:)?dimension\s+ref="([A-Za-z]*)([0-9]*):?([A-Za-z]*)([0-9]*)"'
)
_CELL: Final = re.compile(
    rb"<(?P<p>[A-Za-z0-9_]+:)?c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)?c>)", re.DOTALL
)
_FORMULA_BODY: Final = re.compile(
    rb"<(?:[A-Za-z0-9_]+:)?f\b[^>]*?(?:/>|>(.*?)</(?:[A-Za-z0-9_]+:)?f>)", re.DOTALL
)
_VALUE_BODY: Final = re.compile(
    rb"<(?:[A-Za-z0-9_]+:)?(?:v|is)\b[^>]*>(.*?)</(?:[A-Za-z0-9_]+:)?(?:v|is)>", re.DOTALL
)
_REF_ATTR: Final = re.compile(rb"\br\s*=\s*[\"']([A-Za-z]+[0-9]+)[\"']")


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + (char - 64)
    return number


def _too_large(path: Path, sheet: str, rows: int) -> SheetTooLargeError:
    return SheetTooLargeError(path, sheet, rows, MAX_ROWS, MAX_COLUMNS)


def _check_extent(path: Path, sheet: str, data: bytes) -> None:
    """Refuse a sheet whose rows or columns pass the limits, before the reader allocates them."""
    dimension = _DIMENSION.search(data, 0, 4096)
    if dimension is not None:
        for letters, digits in ((dimension[1], dimension[2]), (dimension[3], dimension[4])):
            if letters and _column_number(letters) > MAX_COLUMNS:
                raise _too_large(path, sheet, 0)
            if digits and int(digits) > MAX_ROWS:
                raise _too_large(path, sheet, int(digits))
    if data.count(b"mergeCell ") > MAX_MERGED:
        raise _too_large(path, sheet, 0)
    rows = data.count(b"<row")
    if data.find(b":row") >= 0:  # a sheet written with a namespace prefix (<x:row>)
        rows += data.count(b":row ") + data.count(b":row>")
    if rows > MAX_ROWS:
        raise _too_large(path, sheet, rows)
    if _ODD_REFERENCE.search(data) is None:
        # Every reference is written r="A1": one quick search finds the far ones.
        for pattern in (_WIDE_COLUMN, _FAR_ROW):
            for match in pattern.finditer(data):  # legitimate files have none or a few
                _check_reference(path, sheet, data, match.start())
        return
    # Unusual spacing or quotes: look at every reference (slower, and rare).
    for match in _ANY_REFERENCE.finditer(data):
        _check_reference_parts(path, sheet, match[1], match[2])


def _check_reference(path: Path, sheet: str, data: bytes, start: int) -> None:
    match = _ANY_REFERENCE.match(b" " + data[start : start + 24])
    if match is not None:
        _check_reference_parts(path, sheet, match[1], match[2])


def _check_reference_parts(path: Path, sheet: str, letters: bytes, digits: bytes) -> None:
    if letters and _column_number(letters) > MAX_COLUMNS:
        raise _too_large(path, sheet, 0)
    if int(digits) > MAX_ROWS:
        raise _too_large(path, sheet, int(digits))


def _check_formulas(path: Path, sheet: str, data: bytes) -> None:
    """Refuse a sheet with a formula cell that has no calculated value saved."""
    if all(pattern.search(data) is None for pattern in _FORMULA_QUICK):
        return
    for cell in _CELL.finditer(data):
        body = cell["body"]
        if not body or _FORMULA.search(body) is None:
            continue
        values = _VALUE_BODY.search(body)
        if values is not None and values[1].strip():
            continue  # a formula with its value: the value is read
        ref = _REF_ATTR.search(cell["attrs"])
        formula = _FORMULA_BODY.search(body)
        text = (formula[1] if formula is not None and formula[1] else b"").decode(
            "utf-8", errors="replace"
        )
        raise FormulaWithoutValueError(
            path, sheet, ref[1].decode("ascii") if ref is not None else "", "=" + text[:60]
        )


def _check_sheet(
    path: Path, archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], sheet: _SheetPart
) -> None:
    info = parts.get(sheet.part)
    if info is None:
        raise UnreadableWorkbookError(path, f"sheet part {sheet.part!r} missing")
    data = b"".join(_read_capped(path, archive, info))
    _check_prolog(path, info.filename, data)
    _check_extent(path, sheet.name, data)
    _check_formulas(path, sheet.name, data)


# --------------------------------------------------------------------------- values
def _read_calamine(path: Path, wanted: list[_SheetPart]) -> dict[str, SheetData]:
    import python_calamine

    sheets: dict[str, SheetData] = {}
    try:
        with python_calamine.CalamineWorkbook.from_path(str(path)) as workbook:
            for part in wanted:
                sheet = workbook.get_sheet_by_name(part.name)
                rows: list[list[CellValue]] = sheet.to_python(skip_empty_area=False)
                merged = tuple(
                    ((int(a[0]), int(a[1])), (int(b[0]), int(b[1])))
                    for a, b in (sheet.merged_cell_ranges or ())
                )
                sheets[part.name] = SheetData(part.name, part.visible, rows, merged)
    except python_calamine.PasswordError as exc:
        raise EncryptedWorkbookError(path) from exc
    except python_calamine.CalamineError as exc:
        raise UnreadableWorkbookError(path, f"{type(exc).__name__}: {exc}") from exc
    except (ValueError, OSError) as exc:
        raise UnreadableWorkbookError(path, f"{type(exc).__name__}: {exc}") from exc
    return sheets


def read_workbook(
    path: Path,
    wanted: Callable[[str], bool] | None = None,
    *,
    check: Callable[[], None] | None = None,
) -> WorkbookData:
    """Read a workbook or CSV file safely; only the sheets ``wanted(name)`` accepts are read.

    ``check`` is called between the steps (a cancel flag raises there).
    Raises a :class:`~.errors.WorkbookFileError` for a file that cannot be
    taken, before any value is read.
    """
    path = Path(path)
    kind = sniff(path)
    digest = file_sha256(path)
    if kind == "csv":
        return read_csv(path, digest)
    with _open_zip(path) as archive:
        parts = check_archive(path, archive)
        workbook = _workbook_part(path, archive, parts)
        sheet_parts = _sheet_parts(path, archive, parts, workbook)
        chosen = [s for s in sheet_parts if wanted is None or wanted(s.name)]
        _scan_parts(path, archive, parts, {s.part for s in chosen})
        for sheet in chosen:
            if check is not None:
                check()
            _check_sheet(path, archive, parts, sheet)
    if check is not None:
        check()
    sheets = _read_calamine(path, chosen)
    return WorkbookData(path, digest, "xlsx", tuple(s.name for s in sheet_parts), sheets)


# --------------------------------------------------------------------------- CSV
def _decode_csv(path: Path, data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1251")
        except UnicodeDecodeError as exc:  # cp1251 maps nearly every byte; a few are undefined
            raise NotAWorkbookError(path, "text") from exc


def _delimiter(sample: str) -> str:
    first = next((line for line in sample.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def read_csv(path: Path, digest: str | None = None) -> WorkbookData:
    """Read a CSV table (UTF-8 with or without BOM, or cp1251; «;», «,» or tab)."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_CSV_SIZE:
        raise FileTooLargeError(path, size, MAX_CSV_SIZE)
    data = path.read_bytes()
    text = _decode_csv(path, data)
    if "\x00" in text:
        raise NotAWorkbookError(path, "unknown")
    delimiter = _delimiter(text[:8192])
    rows: list[list[CellValue]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for line in reader:
            if len(rows) >= MAX_ROWS:
                raise SheetTooLargeError(path, SHEET_CSV, len(rows) + 1, MAX_ROWS, MAX_COLUMNS)
            if len(line) > MAX_COLUMNS:
                raise SheetTooLargeError(path, SHEET_CSV, len(rows) + 1, MAX_ROWS, MAX_COLUMNS)
            rows.append(list(line))
    except csv.Error as exc:
        raise UnreadableWorkbookError(path, str(exc)) from exc
    return WorkbookData(
        path,
        digest or hashlib.sha256(data).hexdigest(),
        "csv",
        (SHEET_CSV,),
        {SHEET_CSV: SheetData(SHEET_CSV, True, rows)},
    )
