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
  «billion laughs»): in its prolog, or anywhere after it (a comment in the
  prolog must not hide one), found with a byte search for the rare «!»;
* a workbook with a sheet of more rows or columns than a school's workbook
  needs (a million rows; a single cell at XFD1048576, or cells without a
  reference running past column BL, which would make the reader allocate
  the whole rectangle), looked for in the sheet's XML before the reader
  sees it;
* a workbook whose cells hold formulas without a calculated value (a file
  written by a program that never calculated it).

A sheet is checked in one pass while it is unpacked, window by window (each
window ends at a tag's end, so no tag is cut): searches for rare bytes and
one regex over the cells, no XML parse; only a sheet written unusually
(prefixed tags, cells without references) or holding formulas is unpacked a
second time for the exact checks.  Its rows are counted while the reader
reads (the count bounds nothing the reader allocates: the cells' places do).

Then the values are read with python-calamine (not pandas, not openpyxl):
only the sheets asked for, each as a grid of cells at their real positions,
with the merged ranges.  CSV is read in UTF-8 (with or without BOM) or
cp1251, with «;», «,» or tab between the values and any line ends.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
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


def _read_capped(
    path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo
) -> Generator[bytes, None, None]:
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

    No DOCTYPE or entity may be declared anywhere in it either (the prolog
    is where XML allows one; a comment before it must not hide it).  The
    part is unpacked in chunks and dropped (bounded memory); zipfile stops
    at the declared size and checks the CRC, so a part that unpacks to more
    than its header says is refused here, before the reader sees it.
    """
    for name, info in parts.items():
        lowered = name.lower()
        if name in skip or not lowered.endswith((".xml", ".rels", ".vml")):
            continue
        head = tail = b""
        with contextlib.closing(_read_capped(path, archive, info)) as chunks:
            for chunk in chunks:
                if len(head) < MAX_PROLOG:
                    head += chunk[: MAX_PROLOG - len(head)]
                    if len(head) >= MAX_PROLOG:
                        _check_prolog(path, name, head)
                joined = tail + chunk  # a declaration cut between two chunks is found whole
                if _declares(joined, 0, len(joined)):
                    raise XmlEntitiesError(path, name)
                tail = chunk[-16:]
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


# Patterns over a sheet's XML (bytes).  Each begins with a literal, most with a letter rare in
# a sheet's XML, so the regex engine skips through tens of megabytes quickly.  They run over
# windows of the part that end at a tag's end («>»), so no tag is ever cut between two windows.
_CELL_START: Final = re.compile(
    rb'<c(?! r="(?:[Aa][A-Za-z]|[Bb][A-La-l]|[A-Za-z])?+[0-9]{1,5}+")(?=[\s/>])'
)
"""A cell whose first attribute is not a plain reference within BL99999: a far or wide one,
one written another way (spaces, single quotes), or none at all (the reader then places the
cell after the previous one): each is looked at."""
_PREFIXED: Final = re.compile(rb":(?:row|c)[\s/>]")
"""A row or cell written with a namespace prefix (``<x:row>``): the sheet is read tag by tag."""
_MERGE: Final = re.compile(rb"mergeCell[\s/>]")
_DECLARATION: Final = re.compile(rb"<!(?i:doctype|entity)")
_TAG: Final = re.compile(rb"<(?:[A-Za-z0-9_]+:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR: Final = re.compile(rb"""\sr\s*=\s*(["'])([A-Za-z]*)([0-9]*)\1""")
_DIMENSION: Final = re.compile(
    rb'<(?:[A-Za-z0-9_]+:)?dimension\s+ref="([A-Za-z]*)([0-9]*):?([A-Za-z]*)([0-9]*)"'
)
_CELL: Final = re.compile(
    rb"<(?P<p>[A-Za-z0-9_]+:)?c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)?c>)", re.DOTALL
)
_FORMULA: Final = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")
_FORMULA_BODY: Final = re.compile(
    rb"<(?:[A-Za-z0-9_]+:)?f\b[^>]*?(?:/>|>(.*?)</(?:[A-Za-z0-9_]+:)?f>)", re.DOTALL
)
_VALUE_BODY: Final = re.compile(
    rb"<(?:[A-Za-z0-9_]+:)?(?:v|is)\b[^>]*>(.*?)</(?:[A-Za-z0-9_]+:)?(?:v|is)>", re.DOTALL
)
_REF_ATTR: Final = re.compile(rb"\br\s*=\s*[\"']([A-Za-z]+[0-9]+)[\"']")
MAX_TAG: Final = 4 * 1024 * 1024
"""Bytes a tag, or the text between two tags, may span (a cell holds at most 32,767 characters)."""
MAX_HINTS: Final = 20_000
"""Look-ups of one kind in a sheet before the scan gives up the quick way for the exact one."""


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + (char - 64)
    return number


def _too_large(path: Path, sheet: str, rows: int) -> SheetTooLargeError:
    return SheetTooLargeError(path, sheet, rows, MAX_ROWS, MAX_COLUMNS)


def _check_place(path: Path, sheet: str, letters: bytes, digits: bytes) -> None:
    """Refuse a cell reference beyond the limits (``letters`` / ``digits`` may be empty)."""
    if len(letters) > 3 or (letters and _column_number(letters) > MAX_COLUMNS):
        raise _too_large(path, sheet, 0)
    number = digits.lstrip(b"0")
    if len(number) > 6 or (number and int(number) > MAX_ROWS):
        raise _too_large(path, sheet, int(number[:12] or b"0"))


def _rare(
    data: bytes,
    span: tuple[int, int],
    byte: bytes,
    matches: Callable[[bytes, int], bool],
    fallback: Callable[[bytes, int, int], bool],
) -> bool:
    """True when ``matches(data, at)`` holds at some ``byte`` of ``data[start:end]``.

    A byte rare in a sheet's XML is found with a byte search (memchr, far
    quicker than a regex), and each one looked at; a window with many of them
    (text in Latin letters, Excel's «x14ac:» on every row) is left to
    ``fallback(data, at, end)``, a regex, from the first one not looked at.
    """
    start, end = span
    at = data.find(byte, start, end)
    seen = 0
    while at >= 0:
        if matches(data, at):
            return True
        seen += 1
        if seen >= _RARE_LIMIT:
            return fallback(data, at + 1, end)
        at = data.find(byte, at + 1, end)
    return False


def _is_declaration(data: bytes, at: int) -> bool:
    return at > 0 and data[at - 1] == 0x3C and data[at + 1 : at + 7].upper() in _DECLARED


def _any_declaration(data: bytes, at: int, end: int) -> bool:
    return _DECLARATION.search(data, max(at - 1, 0), end) is not None


def _declares(data: bytes, start: int, end: int) -> bool:
    """True when ``data[start:end]`` holds a DOCTYPE or an entity declaration («<!» is rare)."""
    return _rare(data, (start, end), b"!", _is_declaration, _any_declaration)


def _is_formula(data: bytes, at: int) -> bool:
    return at > 0 and data[at - 1] in b"<:" and data[at + 1 : at + 2] in _NAME_ENDS


def _any_formula(data: bytes, at: int, end: int) -> bool:
    start = max(at - 2, 0)
    return any(quick.search(data, start, end) is not None for quick in _FORMULA_QUICK)


def _is_prefixed(data: bytes, at: int) -> bool:
    return _PREFIXED.match(data, at) is not None


def _any_prefixed(data: bytes, at: int, end: int) -> bool:
    return _PREFIXED.search(data, max(at - 1, 0), end) is not None


def _is_merge(data: bytes, at: int) -> bool:
    return data.startswith(b"mergeCell", at)


def _any_merge(data: bytes, at: int, end: int) -> bool:
    return _MERGE.search(data, at, end) is not None


_RARE_LIMIT: Final = 256
_NAME_ENDS: Final = (b" ", b"\t", b"\r", b"\n", b">", b"/")
_FORMULA_QUICK: Final = (re.compile(rb"<f[\s>/]"), re.compile(rb":f[\s>/]"))
_DECLARED: Final = (b"DOCTYP", b"ENTITY")


@dataclass
class _SheetScan:
    """The checks of one sheet's XML, fed window by window while it is unpacked.

    The far and wide cells are refused as soon as they come; a sheet written
    unusually (prefixed tags, cells without their reference, formulas) is
    marked for an exact second pass.  The rows are counted apart
    (:func:`_count_rows`).
    """

    path: Path
    sheet: str
    part: str
    merged: int = 0
    odd_cells: int = 0
    needs_tags: bool = False
    """Cells must be placed tag by tag, as the reader places them (:func:`_check_tags`)."""
    formulas: bool = False
    """The sheet may hold formulas (:func:`_check_formulas` looks at each)."""

    def head(self, head: bytes) -> None:
        """Check the first bytes of the part: its prolog and its declared dimension."""
        _check_prolog(self.path, self.part, head)
        dimension = _DIMENSION.search(head, 0, 4096)
        if dimension is not None:
            _check_place(self.path, self.sheet, dimension[1], dimension[2])
            _check_place(self.path, self.sheet, dimension[3], dimension[4])

    def feed(self, data: bytes, start: int, end: int) -> None:
        """Check ``data[start:end]``, a run of whole tags."""
        path, sheet = self.path, self.sheet
        span = (start, end)
        if _rare(data, span, b"m", _is_merge, _any_merge):
            self.merged += len(_MERGE.findall(data, start, end))
            if self.merged > MAX_MERGED:
                raise _too_large(path, sheet, 0)
        if _declares(data, start, end):
            raise XmlEntitiesError(path, self.part)
        if not self.formulas and _rare(data, span, b"f", _is_formula, _any_formula):
            self.formulas = True
        if not self.needs_tags and _rare(data, span, b":", _is_prefixed, _any_prefixed):
            self.needs_tags = True
        if not self.needs_tags:
            self._cells(data, start, end)

    def _cells(self, data: bytes, start: int, end: int) -> None:
        for match in _CELL_START.finditer(data, start, end):
            self.odd_cells += 1
            stop = data.find(b">", match.end(), end)
            ref = _R_ATTR.search(data, match.end(), end if stop < 0 else stop)
            if ref is None or self.odd_cells > MAX_HINTS:
                self.needs_tags = True  # a cell without its reference: placed after the previous
                return
            _check_place(self.path, self.sheet, ref[2], ref[3])


def _check_tags(path: Path, sheet: str, data: bytes) -> None:
    """Place every row and cell as the reader does, refusing one beyond the limits.

    A cell without a reference goes after the previous cell of its row; a
    row without a number follows the previous row.  Prefixed tags count too.
    """
    rows = 0
    row = -1
    column = 0
    for match in _TAG.finditer(data):
        ref = _R_ATTR.search(match[2])
        if match[1] == b"row":
            rows += 1
            number = ref[3].lstrip(b"0") if ref is not None else b""
            row = int(number[:12]) - 1 if number else row + 1
            column = 0
            if rows > MAX_ROWS or row >= MAX_ROWS:
                raise _too_large(path, sheet, max(rows, row + 1))
            continue
        if ref is not None and (ref[2] or ref[3]):
            _check_place(path, sheet, ref[2], ref[3])
            column = _column_number(ref[2]) if ref[2] else column + 1
        else:
            column += 1
        if column > MAX_COLUMNS or row >= MAX_ROWS:
            raise _too_large(path, sheet, row + 1)


def _check_formulas(path: Path, sheet: str, data: bytes) -> None:
    """Refuse a sheet with a formula cell that has no calculated value saved."""
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


def _windows(path: Path, chunks: Iterator[bytes], part: str) -> Iterator[tuple[bytes, int, int]]:
    """Runs of whole tags: each ``data[start:end]`` ends at a «>» (the last run: the rest)."""
    carry = b""
    for chunk in chunks:
        first = chunk.find(b">")
        if first < 0:
            carry += chunk
            if len(carry) > MAX_TAG:
                raise UnreadableWorkbookError(path, f"{part}: no tag ends in {len(carry)} bytes")
            continue
        joined = carry + chunk[: first + 1]
        yield joined, 0, len(joined)
        last = chunk.rfind(b">")
        if last > first:
            yield chunk, first + 1, last + 1
        carry = chunk[last + 1 :]
    if carry:
        yield carry, 0, len(carry)


def _count_rows(
    path: Path, archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], sheet: _SheetPart
) -> None:
    """Refuse a sheet of more than :data:`MAX_ROWS` row elements.

    Not needed to bound the reader's memory (every cell was placed by
    :func:`_check_sheet`; rows without cells cost it nothing), so it may run
    while the reader reads.
    """
    info = parts[sheet.part]
    rows = 0
    with contextlib.closing(_read_capped(path, archive, info)) as raw:
        for data, start, end in _windows(path, raw, info.filename):
            rows += data.count(b"<row", start, end)
            if rows > MAX_ROWS:
                raise _too_large(path, sheet.name, rows)


def _check_sheet(
    path: Path, archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], sheet: _SheetPart
) -> None:
    """Check a sheet's XML in one pass while it is unpacked (bounded memory, no XML parse).

    Its size and checksum (as every part), its prolog and declared
    dimension, every cell placed within the limits, no DOCTYPE or entity
    anywhere, not too many merged ranges.  Only a sheet written unusually
    (prefixed tags, cells without references: then its rows are counted and
    placed one by one too) or with formulas is read a second time, whole,
    for the exact checks.
    """
    info = parts.get(sheet.part)
    if info is None:
        raise UnreadableWorkbookError(path, f"sheet part {sheet.part!r} missing")
    scan = _SheetScan(path, sheet.name, info.filename)
    head = b""

    def chunks(raw: Iterator[bytes]) -> Iterator[bytes]:
        nonlocal head
        for chunk in raw:
            if len(head) < MAX_PROLOG:
                head += chunk[: MAX_PROLOG - len(head)]
                if len(head) >= MAX_PROLOG:
                    scan.head(head)
            yield chunk
        if len(head) < MAX_PROLOG:
            scan.head(head)

    # A refusal comes in the middle of the part: the part's stream is closed at once.
    with contextlib.closing(_read_capped(path, archive, info)) as raw:
        for data, start, end in _windows(path, chunks(raw), info.filename):
            scan.feed(data, start, end)
    if scan.needs_tags or scan.formulas:
        whole = b"".join(_read_capped(path, archive, info))
        if scan.needs_tags:
            _check_tags(path, sheet.name, whole)
        if scan.formulas:
            _check_formulas(path, sheet.name, whole)


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

    Every check that bounds what the reader allocates (the archive's sizes,
    the unpacked size of each part, where every cell of a sheet lies) is done
    before the reader sees the file.  Then the reader reads in a thread of
    its own (it lets go of the GIL) while this one counts the rows of the
    sheets and hashes the file: a sheet of too many rows is still refused,
    once the reader is done.
    """
    path = Path(path)
    kind = sniff(path)
    if kind == "csv":
        return read_csv(path, file_sha256(path))
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
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="calamine") as pool:
        reading = pool.submit(_read_calamine, path, chosen)
        with _open_zip(path) as archive:
            for sheet in chosen:
                _count_rows(path, archive, parts, sheet)
        digest = file_sha256(path)
        sheets = reading.result()
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
