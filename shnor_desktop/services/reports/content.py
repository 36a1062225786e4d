"""What a report says, apart from how it is drawn: a document of plain blocks.

Each kind of report gathers its figures into a :class:`Document` (headings,
paragraphs, tables, charts, the signature); the PDF writer (``pdf.py``) and
the Word writer (``docx_writer.py``) draw the same document, so the two
files always hold the same sections, tables and charts.  Texts are plain
(no markup): the writers escape them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from shnor_desktop.services.reports.charts import BarChart

Align = Literal["left", "center", "right"]
ParagraphStyle = Literal["body", "lead", "note", "center", "bold", "quote"]


@dataclass(frozen=True)
class Letterhead:
    """The office's letterhead and the person who signs (from the settings)."""

    office: str
    address: str = ""
    contacts: str = ""
    signer_position: str = ""
    signer_name: str = ""


@dataclass(frozen=True)
class Heading:
    """A section heading: level 1 (a part), 2 (a section) or 3 (a subsection)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text in one of the styles of the report."""

    text: str
    style: ParagraphStyle = "body"


@dataclass(frozen=True)
class Bullets:
    """A list of items, each one paragraph."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    """A column of a table: title, relative width and alignment of its cells."""

    title: str
    width: float = 1.0
    align: Align = "left"


@dataclass(frozen=True)
class Table:
    """A table whose header row repeats on every page it spans.

    ``bold_rows`` are row indexes (of ``rows``) drawn bold (a district total);
    ``marked`` are (row, column) cells to draw highlighted (a flag);
    ``group_rows`` are rows that head a group (a section of a roadmap) and
    span the whole width.
    """

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    note: str = ""
    bold_rows: frozenset[int] = frozenset()
    marked: frozenset[tuple[int, int]] = frozenset()
    group_rows: frozenset[int] = frozenset()
    narrow: bool = False
    """Condensed type for wide tables."""


@dataclass(frozen=True)
class KeyValues:
    """Label — value lines (a passport's facts) drawn as a two-column table without a grid."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Chart:
    """A chart drawn as a vector drawing in the PDF and as a picture in Word."""

    chart: BarChart
    caption: str = ""


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


@dataclass(frozen=True)
class Signature:
    """The signature lines at the end: (position, name) each.

    The first row is the one signed electronically: its stamp goes into
    :data:`~shnor_desktop.services.reports.pdf.SIGNATURE_BOX` on the last page.
    """

    rows: tuple[tuple[str, str], ...]


Block = Heading | Paragraph | Bullets | Table | KeyValues | Chart | PageBreak


@dataclass
class Document:
    """One report: its letterhead, title, number and date, blocks and signature."""

    kind: str
    title: str
    letterhead: Letterhead
    subtitle: str = ""
    number: str = ""
    date: date | None = None
    blocks: list[Block] = field(default_factory=list)
    signature: Signature | None = None
    running_title: str = ""
    """The short title in the footer of every page."""
    approval: tuple[str, ...] = ()
    """Lines of an «УТВЕРЖДАЮ» / appendix note at the top right (may be empty)."""

    def add(self, *blocks: Block) -> None:
        """Append blocks."""
        self.blocks.extend(blocks)

    def headings(self) -> list[str]:
        """The headings' texts in order (for tests and the table of contents)."""
        return [b.text for b in self.blocks if isinstance(b, Heading)]
