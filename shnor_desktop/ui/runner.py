"""Long work off the GUI thread, with progress and Cancel (no processEvents loops).

The work is a plain function ``fn(progress, cancelled)`` from ``services``;
it runs in a QThread and reports through queued signals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


class _Worker(QObject):
    sig_progress = Signal(int, int)
    sig_finished = Signal(object)
    sig_failed = Signal(object)

    def __init__(self, work: Work) -> None:
        super().__init__()
        self._work = work
        self.cancel_event = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            result = self._work(self.sig_progress.emit, self.cancel_event.is_set)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self.sig_failed.emit(exc)
        else:
            self.sig_finished.emit(result)


class BackgroundTask(QObject):
    """One piece of long work: emits ``sig_finished(result)`` or ``sig_failed(exc)``."""

    sig_finished = Signal(object)
    sig_failed = Signal(object)

    def __init__(
        self,
        work: Work,
        parent: QWidget | None = None,
        title: str = "",
        show_progress: bool = True,
    ) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._worker = _Worker(work)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.sig_finished.connect(self._on_worker_finished)
        self._worker.sig_failed.connect(self._on_worker_failed)
        self._dialog: QProgressDialog | None = None
        if show_progress:
            self._dialog = QProgressDialog(title, self.tr("Отмена"), 0, 0, parent)
            self._dialog.setWindowTitle(title)
            self._dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self._dialog.setMinimumDuration(400)
            self._dialog.canceled.connect(self._worker.cancel_event.set)
            self._worker.sig_progress.connect(self._on_worker_progress)

    def start(self) -> None:
        """Start the work in its thread."""
        self._thread.start()

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self._worker.cancel_event.set()

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the thread ended (used when the window closes)."""
        return bool(self._thread.wait(msecs))

    @property
    def running(self) -> bool:
        """True while the work runs."""
        return bool(self._thread.isRunning())

    def _on_worker_progress(self, done: int, total: int) -> None:
        if self._dialog is not None:
            self._dialog.setMaximum(max(total, 1))
            self._dialog.setValue(min(done, max(total, 1)))

    def _finish(self) -> None:
        self._thread.quit()
        self._thread.wait()
        if self._dialog is not None:
            self._dialog.reset()
            self._dialog.deleteLater()
            self._dialog = None

    def _on_worker_finished(self, result: object) -> None:
        self._finish()
        self.sig_finished.emit(result)

    def _on_worker_failed(self, exc: object) -> None:
        self._finish()
        self.sig_failed.emit(exc)
