"""The pages of a built report as pictures: the preview in «Отчёты» and printing.

PySide6-Essentials has no QtPdf (and the separate ``PySide6_Pdf`` wheel is
published only for 6.12, which this project stays off), so a PDF's pages are
drawn by poppler's ``pdftoppm`` when it is installed (Linux: poppler-utils;
Windows: the poppler binaries beside the program or on PATH).  Without it the
preview says so and the report can still be saved and opened in a PDF
viewer.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

PREVIEW_DPI = 72
PRINT_DPI = 200


def pdftoppm() -> str | None:
    """The pdftoppm program, when poppler is installed (beside the program first)."""
    here = Path(sys.executable).parent / ("pdftoppm.exe" if sys.platform == "win32" else "pdftoppm")
    if here.exists():
        return str(here)
    return shutil.which("pdftoppm")


def can_render() -> bool:
    """True when the pages of a PDF can be drawn here."""
    return pdftoppm() is not None


def render_pages(pdf: Path, folder: Path, dpi: int = PREVIEW_DPI) -> list[Path]:
    """Draw every page of ``pdf`` into PNG files in ``folder``; their paths in page order.

    Runs the external program and waits: call it off the GUI thread.  An empty
    list when the pages cannot be drawn here.
    """
    program = pdftoppm()
    if program is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("page-*.png"):
        old.unlink()
    subprocess.run(
        [program, "-r", str(dpi), "-png", str(pdf), str(folder / "page")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pages = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return pages


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
        self._layout.setSpacing(12)
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

    def show_message(self, text: str) -> None:
        """Clear the pages and show a sentence instead."""
        self.set_pages([])
        self.message.setText(text)
        self.message.show()

    def set_pages(self, images: list[Path]) -> None:
        """Show these page pictures."""
        for label in self.pages:
            self._layout.removeWidget(label)
            label.deleteLater()
        self.pages = []
        for path in images:
            label = QLabel()
            pixmap = QPixmap(str(path))
            label.setPixmap(pixmap)
            # Its own size: the column scrolls instead of squeezing the pages together.
            label.setFixedSize(pixmap.size())
            label.setStyleSheet("background: white; border: 1px solid #555;")
            label.setToolTip(self.tr("Страница %1").replace("%1", path.stem.rsplit("-", 1)[1]))
            self._layout.addWidget(label)
            self.pages.append(label)
        self.message.setVisible(not images)


def print_pages(printer: object, images: list[Path]) -> int:
    """Print page pictures on a QPrinter (each scaled into the printable area); pages printed."""
    from PySide6.QtPrintSupport import QPrinter

    assert isinstance(printer, QPrinter)
    printer.setPageMargins(QMarginsF(0, 0, 0, 0))
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    printed = 0
    try:
        for index, path in enumerate(images):
            if index:
                printer.newPage()
            image = QImage(str(path))
            area = QRectF(printer.pageLayout().paintRectPixels(printer.resolution()))
            area.moveTo(0, 0)
            size = image.size().scaled(area.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF(0, 0, size.width(), size.height())
            painter.drawImage(target, image)
            printed += 1
    finally:
        painter.end()
    return printed
