"""Long work off the GUI thread, with progress, status and Cancel (no processEvents loops).

The work is a plain function ``fn(state)`` from ``models``/``services`` taking a
:class:`~shnor_desktop.models.jobs.JobState`; it runs in a QThread and its
progress and status reach the GUI thread through queued signals.  Cancel sets
the state's flag; the work raises ``Cancelled`` at its next check and its
change set rolls back, so nothing of it stays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from shnor_desktop.models.jobs import JobState

Work = Callable[[JobState], Any]


class _Worker(QObject):
    sig_progress = Signal(int, int, str)
    sig_finished = Signal(object)
    sig_failed = Signal(object)

    def __init__(self, work: Work, state: JobState) -> None:
        super().__init__()
        self._work = work
        self.state = state
        state.listener = self.sig_progress.emit

    @Slot()
    def run(self) -> None:
        try:
            result = self._work(self.state)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self.sig_failed.emit(exc)
        else:
            self.sig_finished.emit(result)
        finally:
            # Nothing more runs in this thread: its loop ends now, so a wait() of the GUI
            # thread returns once the work is done (the signals above are already queued).
            QThread.currentThread().quit()


class BackgroundTask(QObject):
    """One piece of long work: emits ``sig_finished(result)`` or ``sig_failed(exc)``.

    With ``show_progress`` a window-modal progress dialog with «Отмена» appears
    when the work takes longer than 0,4 s; it shows the work's status line.
    """

    sig_finished = Signal(object)
    sig_failed = Signal(object)
    sig_progress = Signal(int, int, str)

    def __init__(
        self,
        work: Work,
        parent: QWidget | None = None,
        title: str = "",
        show_progress: bool = True,
    ) -> None:
        super().__init__(parent)
        self.state = JobState()
        self._title = title
        self._thread = QThread()
        self._worker = _Worker(work, self.state)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.sig_finished.connect(self._on_worker_finished)
        self._worker.sig_failed.connect(self._on_worker_failed)
        self._worker.sig_progress.connect(self._on_worker_progress)
        self._dialog: QProgressDialog | None = None
        if show_progress:
            self._dialog = QProgressDialog(title, self.tr("Отмена"), 0, 0, parent)
            self._dialog.setWindowTitle(title)
            self._dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self._dialog.setMinimumDuration(400)
            self._dialog.setAutoClose(False)
            self._dialog.setAutoReset(False)
            self._dialog.canceled.connect(self.cancel)

    def start(self) -> None:
        """Start the work in its thread."""
        self._thread.start()

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self.state.cancel()
        if self._dialog is not None:
            self._dialog.setLabelText(self.tr("Отмена…"))

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the thread ended (used when the window closes)."""
        return bool(self._thread.wait(msecs))

    @property
    def running(self) -> bool:
        """True while the work runs."""
        return bool(self._thread.isRunning())

    def _on_worker_progress(self, done: int, total: int, status: str) -> None:
        self.sig_progress.emit(done, total, status)
        dialog = self._dialog
        if dialog is None or self.state.cancelled:
            return
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        if status:
            dialog.setLabelText(status)

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
