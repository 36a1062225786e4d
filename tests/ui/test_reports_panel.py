"""«Отчёты»: build a report in the background and see its pages, print them, save PDF
and Word, edit the coordinator's conclusions and the letterhead.

The pages are drawn by the real renderer (PDFium); what was printed is checked from
outside with poppler's ``pdfinfo`` and ``pdftoppm``.  Every temporary folder the
panels of this module make must be gone once they are.
"""

from __future__ import annotations

import gc
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.models.report_texts import ReportTextRepository
from shnor_desktop.services.reports.settings import OFFICE
from shnor_desktop.ui.common import DataBus
from shnor_desktop.ui.reports_panel import TEMP_PREFIX, ReportsPanel

Bot = Any
ShowPanel = Callable[..., Any]

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils (pdftoppm, pdfinfo: the outside checkers) is not installed",
)


@pytest.fixture(autouse=True, scope="module")
def private_temp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The module's panels make their temporary folders here; none may be left at the end."""
    folder = tmp_path_factory.mktemp("temp-of-reports")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(folder))
        yield folder
        # The panels closed by pytest-qt are deleted later: let that happen.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        gc.collect()
        left = sorted(p.name for p in folder.glob(TEMP_PREFIX + "*"))
        assert left == [], f"temporary folders left behind: {left}"


def _report_folders() -> list[Path]:
    return sorted(Path(tempfile.gettempdir()).glob(TEMP_PREFIX + "*"))


def _open(show_panel: ShowPanel, db: Database) -> ReportsPanel:
    panel: ReportsPanel = show_panel(ReportsPanel, db, size=(1200, 760))
    return panel


def _type(widget: QWidget, text: str) -> None:
    """Type text key by key (QTest's keyClicks knows only ASCII)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
        )


def _choose(qtbot: Bot, panel: ReportsPanel, kind: str) -> None:
    index = panel.kind.findData(kind)
    panel.kind.setFocus()
    while panel.kind.currentIndex() != index:
        key = Qt.Key.Key_Down if panel.kind.currentIndex() < index else Qt.Key.Key_Up
        qtbot.keyClick(panel.kind, key)


def test_the_form_shows_the_parameters_of_the_kind(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(show_panel, demo_db)
    assert panel.year.year == 2022
    _choose(qtbot, panel, "passport")
    assert panel.school.isVisible() and not panel.meeting.isVisible()
    assert panel.school.currentData() == "01"
    assert not panel.text_box.isVisible()
    _choose(qtbot, panel, "protocol")
    assert panel.meeting.isVisible() and panel.meeting.currentText() == "Протокол № 1 от 03.07.2023"
    _choose(qtbot, panel, "journal")
    assert panel.period_row.isVisible()
    assert panel.date_from.date().toString("dd.MM.yyyy") == "01.09.2022"
    _choose(qtbot, panel, "annual")
    assert panel.text_box.isVisible()
    assert not panel.print_button.isEnabled()  # nothing built yet


def test_build_shows_every_page_of_the_passport(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "passport")
    with qtbot.waitSignal(panel.sig_built, timeout=30000) as built:
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    result = built.args[0]
    assert result.pages >= 2
    assert "страниц: " + str(result.pages) in panel.status.text()
    view = panel.preview
    assert len(view.pages) == result.pages
    # Drawn as wide as the column: no sideways scrolling, no page smaller than it could be.
    first = view.pages[0]
    width = first.pixmap().width()
    assert width == view.fitted_width()
    assert view.viewport().width() - 60 < width < view.viewport().width()
    qtbot.waitUntil(lambda: view.verticalScrollBar().maximum() > 0)
    assert not view.horizontalScrollBar().isVisible()
    # A4 keeps its shape, and each page keeps its height: the column scrolls.
    assert abs(first.pixmap().height() - width * 841.89 / 595.28) <= 1
    assert first.height() == first.pixmap().height() + 2  # and its frame
    # Drawn, not blank: the text and the tables are there.
    image = first.pixmap().toImage()
    dark = sum(
        1
        for y in range(0, image.height(), 4)
        for x in range(0, image.width(), 4)
        if image.pixelColor(x, y).lightness() < 128
    )
    assert dark > 200
    assert panel.print_button.isEnabled()
    assert panel.build_button.isEnabled()


def test_a_wider_column_gets_wider_pages(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "protocol")
    with qtbot.waitSignal(panel.sig_built, timeout=30000):
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    narrow = panel.preview.pages[0].pixmap().width()
    panel.resize(1700, 760)
    qtbot.waitUntil(lambda: panel.preview.fitted_width() > narrow + 300)
    with qtbot.waitSignal(panel.sig_built, timeout=30000):
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    assert panel.preview.pages[0].pixmap().width() == panel.preview.fitted_width() > narrow + 300


def _pdfinfo(pdf: Path, page: int | None = None) -> str:
    args = ["pdfinfo"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(pdf)]
    return subprocess.run(args, capture_output=True, check=True, text=True).stdout


def _page_picture(pdf: Path, page: int, folder: Path) -> QImage:
    """Page ``page`` of ``pdf`` as poppler draws it, grey, smoothed down to 60 × 85 pixels.

    Smoothed: thin lines drawn from a picture and from vectors differ in shade, not in
    place; what is compared is where the text and the tables are on the sheet.
    """
    stem = folder / f"{pdf.stem}-{page}"
    subprocess.run(
        ["pdftoppm", "-r", "60", "-gray", "-singlefile", "-f", str(page), "-l", str(page)]
        + [str(pdf), str(stem)],
        capture_output=True,
        check=True,
    )
    image = QImage(str(stem) + ".pgm")
    assert not image.isNull()
    return image.convertToFormat(QImage.Format.Format_Grayscale8).scaled(
        60,
        85,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def _difference(a: QImage, b: QImage) -> float:
    """Mean difference of the grey levels (0–255) of two pictures of one size."""
    assert a.size() == b.size()
    total = 0
    for y in range(a.height()):
        for x in range(a.width()):
            total += abs(a.pixelColor(x, y).value() - b.pixelColor(x, y).value())
    return total / (a.width() * a.height())


def _print_to_file(
    monkeypatch: pytest.MonkeyPatch, out: Path, pages: tuple[int, int] | None = None
) -> list[QPrinter]:
    """The print dialog, answered as a user who chooses «print to file (PDF)» would.

    150 dpi: the printer's resolution the pages are drawn at (a real printer says
    600 or more); small, so the test stays fast.
    """
    seen: list[QPrinter] = []

    def accept(dialog: QPrintDialog) -> int:
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setResolution(150)
        if pages is not None:
            printer.setPrintRange(QPrinter.PrintRange.PageRange)
            printer.setFromTo(*pages)
        seen.append(printer)
        return QPrintDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    return seen


@needs_poppler
def test_print_sends_every_page_at_its_true_size(
    qtbot: Bot,
    show_panel: ShowPanel,
    demo_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "passport")
    with qtbot.waitSignal(panel.sig_built, timeout=30000) as built:
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    source = built.args[0].path
    out = tmp_path / "printed.pdf"
    printers = _print_to_file(monkeypatch, out)
    with qtbot.waitSignal(panel.sig_printed, timeout=30000) as printed:
        qtbot.mouseClick(panel.print_button, Qt.MouseButton.LeftButton)
    assert printers and printers[0].resolution() == 150
    pages = built.args[0].pages
    assert printed.args == [pages]
    assert panel.status.text() == f"Отправлено на печать страниц: {pages}."
    info = _pdfinfo(out)
    assert f"Pages:           {pages}\n" in info
    assert "595 x 842 pts (A4)" in info
    # Each sheet is the page it should be, at its true size and place on the sheet.
    for page in range(1, pages + 1):
        original = _page_picture(source, page, tmp_path)
        assert _difference(_page_picture(out, page, tmp_path), original) < 8
    # (the comparison tells pages apart: two different pages differ by some 15)
    assert _difference(_page_picture(out, 1, tmp_path), _page_picture(source, 2, tmp_path)) > 11


@needs_poppler
def test_print_of_some_pages(
    qtbot: Bot,
    show_panel: ShowPanel,
    demo_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "passport")
    with qtbot.waitSignal(panel.sig_built, timeout=30000) as built:
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    out = tmp_path / "pages 2-3.pdf"
    _print_to_file(monkeypatch, out, pages=(2, 3))
    with qtbot.waitSignal(panel.sig_printed, timeout=30000) as printed:
        qtbot.mouseClick(panel.print_button, Qt.MouseButton.LeftButton)
    assert printed.args == [2]
    assert "Pages:           2\n" in _pdfinfo(out)
    source = built.args[0].path
    assert _difference(_page_picture(out, 1, tmp_path), _page_picture(source, 2, tmp_path)) < 8
    assert _difference(_page_picture(out, 2, tmp_path), _page_picture(source, 3, tmp_path)) < 8


def test_cancelled_printing_leaves_no_file(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, tmp_path: Path
) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "protocol")
    with qtbot.waitSignal(panel.sig_built, timeout=30000):
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "cancelled.pdf"
    printer.setOutputFileName(str(out))
    task = panel.print_to(printer)
    assert task is not None
    assert not panel.build_button.isEnabled() and not panel.print_button.isEnabled()
    with qtbot.waitSignal(task.sig_failed, timeout=30000):
        task.cancel()  # as «Отмена» of the progress window does
    assert panel.status.text() == "Печать отменена."
    assert not out.exists()
    assert panel.print_button.isEnabled()


def test_cancelled_build_keeps_the_preview_shown(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "protocol")
    with qtbot.waitSignal(panel.sig_built, timeout=30000):
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    shown = _report_folders()
    assert len(shown) == 1
    _choose(qtbot, panel, "annual")
    task = panel.build_preview()
    assert task is not None
    with qtbot.waitSignal(task.sig_failed, timeout=30000):
        task.cancel()
    assert panel.status.text() == "Построение отчёта отменено."
    assert _report_folders() == shown  # the cancelled build's folder went, the shown one stays
    assert len(panel.preview.pages) == 2 and panel.built is not None


def test_the_preview_folder_lives_as_long_as_the_preview(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "protocol")
    with qtbot.waitSignal(panel.sig_built, timeout=30000) as first:
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    assert _report_folders() == [first.args[0].path.parent]
    with qtbot.waitSignal(panel.sig_built, timeout=30000) as second:
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    # A new build replaces the folder of the last one.
    assert _report_folders() == [second.args[0].path.parent] != [first.args[0].path.parent]
    # Another database (here: none, as when it is closed) takes the preview and its folder.
    panel.set_database(None)
    assert _report_folders() == []
    assert panel.preview.pages == [] and not panel.print_button.isEnabled()


def test_the_preview_folder_goes_with_the_panel(qtbot: Bot, demo_db: Database) -> None:
    bus = DataBus()
    bus.attach(demo_db)
    panel = ReportsPanel(bus)  # not pytest-qt's: this test deletes it itself
    panel.set_database(demo_db)
    panel.resize(1200, 760)
    panel.show()
    qtbot.waitExposed(panel)
    with qtbot.waitSignal(panel.sig_built, timeout=30000):
        panel.build_preview()
    assert len(_report_folders()) == 1
    # Kept alive on the Python side: it is Qt's deletion that must remove the folder.
    gone: list[bool] = []
    panel.destroyed.connect(lambda: gone.append(True))
    panel.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert gone
    assert _report_folders() == []


def test_save_writes_word_for_the_annual_report(
    qtbot: Bot,
    show_panel: ShowPanel,
    demo_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "annual")
    target = tmp_path / "Годовой отчёт.docx"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Документ Word (*.docx)")
    )
    with qtbot.waitSignal(panel.sig_saved, timeout=30000) as saved:
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].format == "docx"
    assert target.stat().st_size > 50_000
    assert panel.folder_button.isEnabled()


def test_a_refused_report_says_why(qtbot: Bot, show_panel: ShowPanel, demo_db: Database) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "protocol")
    panel.year.set_year(2010)
    panel.meeting.clear()  # no meeting chosen: the last of 2010/11, which has none
    with qtbot.waitSignal(panel.sig_failed, timeout=30000) as failed:
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    assert failed.args[0] == "В базе нет заседаний в 2010/11 учебном году."
    assert panel.status.text() == failed.args[0]


def test_conclusions_and_letterhead_are_kept_in_the_database(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "annual")
    panel.conclusions.setFocus()
    _type(panel.conclusions, "Бартеневка вышла из ШНОР.")
    qtbot.mouseClick(panel.save_text_button, Qt.MouseButton.LeftButton)
    assert ReportTextRepository(demo_db.log).get("annual", 2022) == "Бартеневка вышла из ШНОР."
    _choose(qtbot, panel, "results")
    assert panel.conclusions.toPlainText() == ""
    _choose(qtbot, panel, "annual")
    assert panel.conclusions.toPlainText() == "Бартеневка вышла из ШНОР."
    office = panel.letterhead[OFFICE.key]
    office.clear()
    _type(office, "Отдел образования")
    qtbot.mouseClick(panel.save_head_button, Qt.MouseButton.LeftButton)
    assert demo_db.settings.get(OFFICE) == "Отдел образования"
    demo_db.undo.undo()
    assert demo_db.settings.get(OFFICE) == ""


def test_rendering_stops_at_cancel_and_at_its_memory_budget(
    demo_db: Database, tmp_path: Path
) -> None:
    from shnor_desktop.models.errors import Cancelled
    from shnor_desktop.models.jobs import JobState
    from shnor_desktop.services.reports import build_report
    from shnor_desktop.ui.report_preview import render_preview

    pdf = tmp_path / "journal.pdf"
    total = build_report("journal", demo_db.path, pdf).pages
    assert total > 10
    # «Отмена» while the pages are drawn: stops at the next page.
    state = JobState()
    seen: list[int] = []

    def listener(done: int, _total: int, _status: str) -> None:
        seen.append(done)
        if done == 3:
            state.cancel()

    state.listener = listener
    with pytest.raises(Cancelled):
        render_preview(pdf, 500, state)
    assert max(seen) == 3
    # A report longer than the preview's memory: its first pages, and how many there are.
    one_page = render_preview(pdf, 500, memory=1).images[0].sizeInBytes()
    pages = render_preview(pdf, 500, memory=4 * one_page)
    assert (len(pages.images), pages.total) == (4, total)
