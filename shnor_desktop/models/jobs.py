"""The state object of long work (Orange's ``run(data, state)`` pattern), without Qt.

A long operation (building the demo, reverting a large change set, an import)
is a plain function that takes a :class:`JobState`.  It reports progress and a
status line through it, may leave partial results in it, and checks
:meth:`JobState.check` between steps: once :meth:`JobState.cancel` was called
(from any thread) the check raises :class:`~shnor_desktop.models.errors.Cancelled`,
and the change set the work had open rolls back, leaving nothing behind.

The GUI runs such functions in a worker thread (``ui/runner.py``) and turns
the callbacks into Qt signals; the command line and tests call them directly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shnor_desktop.models.errors import Cancelled

ProgressListener = Callable[[int, int, str], None]


@dataclass
class JobState:
    """Progress, status, partial results and the cancel flag of one piece of long work."""

    done: int = 0
    total: int = 0
    status: str = ""
    partial: list[Any] = field(default_factory=list)
    listener: ProgressListener | None = None
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    def progress(self, done: int, total: int | None = None, status: str | None = None) -> None:
        """Report ``done`` of ``total`` units (and a new status line, if given)."""
        self.done = done
        if total is not None:
            self.total = total
        if status is not None:
            self.status = status
        if self.listener is not None:
            self.listener(self.done, self.total, self.status)

    def set_status(self, status: str) -> None:
        """Say what the work is doing now."""
        self.progress(self.done, None, status)

    def cancel(self) -> None:
        """Ask the work to stop at its next check (thread-safe)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` when the work was cancelled."""
        if self._cancel.is_set():
            raise Cancelled

    # Adapters for services that take ``progress(done, total)`` and ``cancel()`` callables.
    def report(self, done: int, total: int) -> None:
        """``progress(done, total)`` callback form."""
        self.progress(done, total)

    def is_cancelled(self) -> bool:
        """``cancel()`` callback form."""
        return self._cancel.is_set()
