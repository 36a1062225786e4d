"""The background runner: results come back as signals; waiting ends when the work ends."""

from __future__ import annotations

import threading
import time
from typing import Any

from shnor_desktop.models.jobs import JobState
from shnor_desktop.ui.runner import BackgroundTask

Bot = Any


def test_wait_returns_when_the_work_is_done(qtbot: Bot) -> None:
    """The defect: the thread idled until the GUI thread handled the finish, so a GUI-thread
    wait() (closing a database during a backup, switching databases) blocked to its timeout."""
    done = threading.Event()

    def work(state: JobState) -> int:
        del state
        done.set()
        return 7

    task = BackgroundTask(work, show_progress=False)
    task.start()
    assert done.wait(5)
    start = time.perf_counter()
    assert task.wait(5000)
    assert time.perf_counter() - start < 2
    assert not task.running
    # The result still reaches the GUI thread.
    with qtbot.waitSignal(task.sig_finished) as finished:
        pass
    assert finished.args == [7]
