"""The pages of a built report as pictures: the preview in «Отчёты» and printing.

PySide6-Essentials has no QtPdf (and the separate ``PySide6_Pdf`` wheel is
published only for 6.12, which this project stays off), so the pages are
drawn in the process by PDFium through ``pypdfium2``: a wheel with the native
library inside for Windows and Linux alike, bundled by PyInstaller's own hook
— no external program has to be installed on the coordinator's laptop.

Both entry points are plain functions taking a :class:`JobState`, meant to run
off the GUI thread (``ui/runner.py``): :func:`render_preview` draws every page
at the width of the preview column, :func:`print_pdf` paints the pages on a
QPrinter (Qt allows painting on a QPrinter or a QImage from another thread)
one by one at the printer's resolution.  Both report progress and stop at
the next page once cancelled.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QStyle, QVBoxLayout, QWidget

from shnor_desktop.models.jobs import JobState

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

POINTS_PER_INCH = 72
PREVIEW_MIN_WIDTH = 320
"""Narrowest page of the preview (logical pixels): below it the text is a grey blur."""
PREVIEW_MAX_WIDTH = 1400
"""Widest page of the preview: wider only costs memory, nobody reads a page that large."""
PREVIEW_MEMORY = 400 * 1024**2
"""Bytes the preview's pictures may take; a longer report shows its first pages only
(a page at 760 px is about 3 MB: some 120 pages) — the saved file and printing have all."""
PRINT_MAX_DPI = 300
"""Pages are printed as pictures: at 300 dpi the text is as sharp as an office laser
printer puts it on paper, while 600 or 1200 dpi (what QPrinter reports for many
printers and for PDF output) would make each page 4–16 times larger to draw and
to send to the printer for nothing anyone can see."""
PAGE_SPACING = 12
PAGE_MARGIN = 9

# PDFium is not thread-safe: the preview and printing (and two panels) may run in
# different worker threads, so every call into it holds this lock.
_PDFIUM = threading.RLock()


class PrinterRefused(Exception):
    """The printer (or the PDF file chosen as the printer) did not accept the job."""


@dataclass(frozen=True)
class PreviewPages:
    """The pictures of a report's pages for the preview."""

    images: list[QImage]
    """The pages drawn, in order (possibly fewer than ``total``: see PREVIEW_MEMORY)."""
    total: int
    """Pages in the document."""
    device_pixel_ratio: float = 1.0


def can_render() -> bool:
    """True when pages of a PDF can be drawn here (pypdfium2 is installed)."""
    try:
        import pypdfium2  # noqa: F401
    except (ImportError, OSError):  # OSError: the wheel is there, its native library is not
        return False
    return True


@contextmanager
def _document(pdf: Path) -> Iterator[Any]:
    """The PDF opened by PDFium, closed at the end; the lock is held all along.

    The file is read by Python and handed over as bytes: no path reaches the native
    library, so a Windows user folder such as «C:\\Users\\Иван Петров» is no question.
    """
    import pypdfium2

    data = pdf.read_bytes()
    with _PDFIUM:
        document = pypdfium2.PdfDocument(data)
        try:
            yield document
        finally:
            document.close()


def _page_image(document: Any, index: int, scale: float, rotation: int = 0) -> QImage:
    """Page ``index`` drawn at ``scale`` pixels per point, as a QImage of its own memory.

    Called inside :func:`_document` (which holds the lock).
    """
    page = document[index]
    try:
        bitmap = page.render(
            scale=scale,
            rotation=rotation,
            may_draw_forms=False,
            # RGBx byte order, whatever the machine's endianness: QImage's RGBX8888.
            rev_byteorder=True,
            prefer_bgrx=True,
        )
        try:
            image = QImage(
                memoryview(bitmap.buffer),
                bitmap.width,
                bitmap.height,
                bitmap.stride,
                QImage.Format.Format_RGBX8888,
            ).copy()  # the bitmap's memory goes with it
        finally:
            bitmap.close()
    finally:
        page.close()
    return image


def _page_size(document: Any, index: int) -> tuple[float, float]:
    """Width and height of page ``index`` in points (inside :func:`_document`)."""
    page = document[index]
    try:
        width, height = page.get_size()
    finally:
        page.close()
    return float(width), float(height)


def page_count(pdf: Path) -> int:
    """Pages in ``pdf``."""
    with _document(pdf) as document:
        return len(document)


def render_preview(
    pdf: Path,
    width: int,
    state: JobState | None = None,
    device_pixel_ratio: float = 1.0,
    memory: int = PREVIEW_MEMORY,
) -> PreviewPages:
    """Draw the pages of ``pdf`` ``width`` logical pixels wide (off the GUI thread).

    The pictures have ``width × device_pixel_ratio`` real pixels, so they are sharp
    on a high-density screen too.  Stops at the next page once ``state`` is
    cancelled (raising ``Cancelled``); stops early, with the pages drawn so far, once
    the pictures would take more than ``memory`` bytes.
    """
    state = state if state is not None else JobState()
    width = max(PREVIEW_MIN_WIDTH, min(PREVIEW_MAX_WIDTH, width))
    pixels = width * device_pixel_ratio
    images: list[QImage] = []
    used = 0
    with _document(pdf) as document:
        total = len(document)
        for index in range(total):
            state.check()
            state.progress(index, total, f"Подготовка страниц: {index + 1} из {total}")
            image = _page_image(document, index, pixels / _page_size(document, index)[0])
            used += image.sizeInBytes()
            if images and used > memory:
                break
            image.setDevicePixelRatio(device_pixel_ratio)
            images.append(image)
        state.progress(total, total)
    return PreviewPages(images, total, device_pixel_ratio)


def _pages_to_print(printer: QPrinter, total: int) -> range:
    """The pages the print dialog asked for (all, or «from … to …»), as 0-based indices."""
    from PySide6.QtPrintSupport import QPrinter

    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(1, printer.fromPage())
        last = min(total, printer.toPage() or total)
        return range(first - 1, last)
    return range(total)


def print_pdf(
    pdf: Path, printer: QPrinter, state: JobState | None = None, max_dpi: int = PRINT_MAX_DPI
) -> int:
    """Print the pages of ``pdf`` on ``printer``, one by one; return the pages printed.

    Each page is drawn at the printer's resolution (at most ``max_dpi``) and laid on
    the sheet keeping its proportions: an A4 page on A4 paper comes out at its true
    size, so the margins of the document stay what the document says, and a page of
    another size is scaled to fit the sheet and centred.  The part of the sheet the
    printer cannot reach is the document's own white margin.  A landscape page on a
    portrait sheet is turned, as a PDF viewer prints it.  Cancelled, the print job is
    aborted (``Cancelled`` is raised).  Raises :class:`PrinterRefused` when the printer
    does not accept the job.
    """
    state = state if state is not None else JobState()
    printer.setFullPage(True)  # the painter's (0, 0) is the sheet's corner
    dpi = max(1, min(printer.resolution(), max_dpi))
    with _document(pdf) as document:
        total = len(document)
        wanted = _pages_to_print(printer, total)
        painter = QPainter()
        if not painter.begin(printer):
            raise PrinterRefused
        printed = 0
        try:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            sheet = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
            sheet.moveTo(0, 0)
            for number, index in enumerate(wanted):
                state.check()
                state.progress(
                    number,
                    len(wanted),
                    f"Печать: страница {index + 1} ({number + 1} из {len(wanted)})",
                )
                width, height = _page_size(document, index)
                turn = (width > height) != (sheet.width() > sheet.height())
                image = _page_image(document, index, dpi / POINTS_PER_INCH, 90 if turn else 0)
                size = (
                    image.size().toSizeF().scaled(sheet.size(), Qt.AspectRatioMode.KeepAspectRatio)
                )
                target = QRectF(
                    (sheet.width() - size.width()) / 2,
                    (sheet.height() - size.height()) / 2,
                    size.width(),
                    size.height(),
                )
                if number:
                    printer.newPage()
                painter.drawImage(target, image)
                printed += 1
            state.progress(len(wanted), len(wanted))
        except BaseException:
            printer.abort()  # nothing half-printed reaches the paper
            painter.end()
            _remove_partial_file(printer)
            raise
        painter.end()
    return printed


def _remove_partial_file(printer: QPrinter) -> None:
    """«Print to file» cancelled: the PDF begun is not left looking like a finished one."""
    from PySide6.QtPrintSupport import QPrinter

    name = printer.outputFileName()
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and name:
        Path(name).unlink(missing_ok=True)


class PagesView(QScrollArea):
    """The pages one under another, each with a thin frame, scrolled as one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportPages")
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._inner = QWidget()
        self._inner.setStyleSheet("background: #8a8a8a;")
        self._layout = QVBoxLayout(self._inner)
        self._layout.setSpacing(PAGE_SPACING)
        self._layout.setContentsMargins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        # The column is as tall as its pages: the area scrolls instead of squeezing them.
        self._layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("background: transparent; color: white; padding: 24px;")
        self._layout.addWidget(self.message)
        self.setWidget(self._inner)
        self.pages: list[QLabel] = []

    def fitted_width(self) -> int:
        """The page width (logical pixels) that fills the column without a sideways scroll."""
        width = self.viewport().width()
        if not self.verticalScrollBar().isVisible():
            # A report's pages always need the vertical bar: leave its room now.
            width -= self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        return max(PREVIEW_MIN_WIDTH, min(PREVIEW_MAX_WIDTH, width - 2 * PAGE_MARGIN - 2))

    def show_message(self, text: str) -> None:
        """Clear the pages and show a sentence instead."""
        self.set_pages(PreviewPages([], 0))
        self.message.setText(text)
        self.message.show()

    def set_pages(self, pages: PreviewPages, note: str = "") -> None:
        """Show these page pictures (and ``note`` under them, when given)."""
        for label in self.pages:
            self._layout.removeWidget(label)
            label.deleteLater()
        self.pages = []
        for number, image in enumerate(pages.images, start=1):
            label = QLabel()
            pixmap = QPixmap.fromImage(image)
            label.setPixmap(pixmap)
            # Its own size: the column scrolls instead of squeezing the pages together.
            label.setFixedSize(pixmap.deviceIndependentSize().toSize() + QSize(2, 2))
            label.setStyleSheet("background: white; border: 1px solid #555;")
            label.setToolTip(self.tr("Страница %1").replace("%1", str(number)))
            self._layout.insertWidget(self._layout.count() - 1, label)
            self.pages.append(label)
        # The message stays last: a note under the pages of a report shown in part.
        self.message.setText(note)
        self.message.setVisible(not pages.images or bool(note))
