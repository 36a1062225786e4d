"""A seeded «monkey»: thousands of random user actions on the demo district.

The monkey opens a private copy of the demo database, walks every panel of
the navigation and every tab, then sends random clicks, double clicks,
context menus, keys, typed text, wheel turns, window resizes, panel and tab
switches, undo and redo.  Dialogs and menus it opens get a few random events
of their own and are then closed (Escape, as a user would).  It fails on the
first Python exception raised in a Qt slot or virtual method, on any Qt
warning, and on a message box that shows a raw error; at the end it undoes
everything it did and compares every data table with the demo's.

A later panel joins the monkey by being reachable from the navigation.

It runs in a child process (the same pytest, this file, ``SHNOR_MONKEY_CHILD=1``)
so that a crash or a hang fails this test instead of killing the whole run.

Environment:

* ``SHNOR_MONKEY_SEED``   — the seed (default :data:`DEFAULT_SEED`);
* ``SHNOR_MONKEY_EVENTS`` — the number of events (default :data:`DEFAULT_EVENTS`,
  about 12 s here, 250–300 events a second); e.g. ``SHNOR_MONKEY_EVENTS=30000``.

To reproduce a failure, run it again with the seed and the number of events it
printed; the last events are printed with the failure and every event is in
the journal file named there.  (Running the child test by hand, leave out
``-s``: with it pytest-qt captures no Qt messages and no warning fails it.)

Left out of the random set, because they would leave the demo database:
Файл → Создать / Открыть / Недавние файлы / Восстановить из резервной копии /
Выход and the buttons of the start page; file dialogs answer «cancel» and no
URL is opened.  Message boxes stay real: the monkey answers them at random, so
removals and reverts are confirmed as often as they are cancelled.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent, QDesktopServices, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QHeaderView,
    QLineEdit,
    QMenu,
    QMenuBar,
    QMessageBox,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)
from pytestqt.exceptions import format_captured_exceptions
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from shnor_desktop.models.errors import DomainError
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.main_window import MainWindow
from shnor_desktop.ui.runner import BackgroundTask

DEFAULT_SEED = 20261124
DEFAULT_EVENTS = 3000
TRAIL = 30
"""How many of the last events a failure prints."""
MAX_EVENTS_PER_DIALOG = 25
"""A dialog or menu gets at most this many random events before the monkey closes it."""
CLOSE_CHANCE = 0.12
"""The chance, per event, that the monkey closes the dialog or menu in front."""
SETTLE_EVERY = 100
"""Every so many events the monkey waits for background work and deferred deletes."""
EVENTS_PROPERTY = "monkey_events"
"""The dynamic property counting the events a dialog or menu has had."""

ROOT = Path(__file__).resolve().parents[2]
SCREEN = {"name": "monkey", "x": 0, "y": 0, "width": 1600, "height": 1000, "logicalDpi": 96}
"""The offscreen screen of the child process."""

#: Tables of the change log and bookkeeping: not data, not compared.
NOT_DATA = frozenset({"change", "change_set", "sqlite_sequence", "meta", "import_batch"})

#: Widgets a user acts on; they are picked more often than labels and frames.
INTERACTIVE: tuple[type[QWidget], ...] = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QPlainTextEdit,
    QTextEdit,
    QTabBar,
    QHeaderView,
    QScrollBar,
    QMenuBar,
    QMenu,
)

Key = Qt.Key
Mod = Qt.KeyboardModifier
KEYS: tuple[tuple[Key, Mod], ...] = (
    *((k, Mod.NoModifier) for k in (Key.Key_A, Key.Key_B, Key.Key_Z, Key.Key_0, Key.Key_5)),
    *((k, Mod.NoModifier) for k in (Key.Key_1, Key.Key_9, Key.Key_Minus, Key.Key_Comma)),
    (Key.Key_Tab, Mod.NoModifier),
    (Key.Key_Tab, Mod.NoModifier),
    (Key.Key_Backtab, Mod.ShiftModifier),
    (Key.Key_Return, Mod.NoModifier),
    (Key.Key_Enter, Mod.KeypadModifier),
    (Key.Key_Escape, Mod.NoModifier),
    (Key.Key_Left, Mod.NoModifier),
    (Key.Key_Right, Mod.NoModifier),
    (Key.Key_Up, Mod.NoModifier),
    (Key.Key_Down, Mod.NoModifier),
    (Key.Key_Down, Mod.NoModifier),
    (Key.Key_PageUp, Mod.NoModifier),
    (Key.Key_PageDown, Mod.NoModifier),
    (Key.Key_Home, Mod.NoModifier),
    (Key.Key_End, Mod.NoModifier),
    (Key.Key_Delete, Mod.NoModifier),
    (Key.Key_Backspace, Mod.NoModifier),
    (Key.Key_Space, Mod.NoModifier),
    (Key.Key_F2, Mod.NoModifier),
    (Key.Key_Z, Mod.ControlModifier),
    (Key.Key_Y, Mod.ControlModifier),
    (Key.Key_Z, Mod.ControlModifier | Mod.ShiftModifier),
    (Key.Key_A, Mod.ControlModifier),
)
TEXTS = (
    "26,8",
    "-5",
    "абв",
    "0",
    "12",
    "100",
    "100,5",
    "3,14159",
    "1e9",
    "99999999999",
    "50%",
    "2022/23",
    "31.08.2024",
    "Иванов И.И.",
    "ёЁ",
    " ",
    "'; DROP TABLE school; --",
)
#: What the monkey edits as a user would: click, select all, type, leave.
EDITABLE: tuple[type[QWidget], ...] = (
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QAbstractSpinBox,
    QComboBox,
)
CYRILLIC_AND_DIGITS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМН0123456789 ,.-"

#: What a message must not show: the text of a raw exception or database error
#: (describe_error's fallbacks for an unforeseen error included).
RAW_ERROR = re.compile(
    r"Traceback|sqlite3|\b[A-Z]\w*(Error|Exception)\b|constraint failed|FOREIGN KEY"
    r"|NOT NULL|UNIQUE|Непредвиденная ошибка \(|Операция не выполнена: "
)


class MonkeyFailure(Exception):
    """What the monkey found; the message holds the steps to reproduce it."""


# --- data ------------------------------------------------------------------------------------
Dump = dict[str, list[dict[str, Any]]]


def dump_tables(path: Path) -> Dump:
    """Every data table of the database at ``path``, rows in id order."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        dump: Dump = {}
        for name in names:
            if name in NOT_DATA:
                continue
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
            order = "id" if "id" in columns else ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(f'SELECT * FROM "{name}" ORDER BY {order}')
            dump[name] = [dict(row) for row in rows]
        return dump
    finally:
        conn.close()


def describe_difference(before: Dump, after: Dump) -> str:
    """Which rows differ, table by table: gone, added, and changed columns."""
    lines: list[str] = []
    for table in sorted(set(before) | set(after)):
        old_rows, new_rows = before.get(table, []), after.get(table, [])
        if old_rows == new_rows:
            continue
        lines.append(f"{table}: было строк {len(old_rows)}, стало {len(new_rows)}")
        old = {row.get("id", i): row for i, row in enumerate(old_rows)}
        new = {row.get("id", i): row for i, row in enumerate(new_rows)}
        shown = 0
        for key in sorted(old.keys() | new.keys(), key=str):
            if old.get(key) == new.get(key) or shown >= 5:
                continue
            shown += 1
            if key not in new:
                lines.append(f"  − id {key}: {old[key]!r}"[:300])
            elif key not in old:
                lines.append(f"  + id {key}: {new[key]!r}"[:300])
            else:
                changed = [
                    f"{c}: {old[key].get(c)!r} → {new[key].get(c)!r}"
                    for c in old[key].keys() | new[key].keys()
                    if old[key].get(c) != new[key].get(c)
                ]
                lines.append(f"  ≠ id {key}: " + "; ".join(sorted(changed))[:300])
    return "\n".join(lines)


# --- the monkey ------------------------------------------------------------------------------
def describe_widget(widget: QWidget) -> str:
    """A short name of a widget for the journal: class, name, text, where it lives."""
    parts = [type(widget).__name__]
    name = widget.objectName()
    if name and not name.startswith("qt_"):
        parts.append(f"#{name}")
    text = ""
    for getter in ("text", "title", "windowTitle", "placeholderText"):
        value = getattr(widget, getter, None)
        if callable(value):
            try:
                result = value()
            except TypeError:  # an overload that needs arguments
                continue
            if isinstance(result, str) and result:
                text = result
                break
    if text:
        parts.append(f"«{text[:30]}»")
    where: list[str] = []
    parent = widget.parentWidget()
    while parent is not None and len(where) < 2:
        spec = getattr(parent, "spec", None)
        field_name = getattr(spec, "name", None)
        if isinstance(field_name, str):
            where.append(f"поле {field_name}")
        elif isinstance(parent, QDialog) or type(parent).__name__.endswith("Panel"):
            where.append(type(parent).__name__)
        parent = parent.parentWidget()
    if where:
        parts.append(f"[{' / '.join(where)}]")
    return " ".join(parts)


class Monkey:
    """Random events on a main window, reproducible from a seed.

    Modal dialogs (``exec()`` or ``open()``) and popup menus are handled by a
    zero-time timer scheduled before every event: inside a dialog's own event
    loop it sends the dialog one random event, schedules itself again, and
    after a few events closes the dialog.  The order of events therefore
    depends only on the seed.
    """

    def __init__(
        self,
        window: MainWindow,
        *,
        qtbot: QtBot,
        seed: int,
        limit: int,
        journal: IO[str],
        database: Path,
    ) -> None:
        self.window = window
        self.qtbot = qtbot
        self.seed = seed
        self.rng = random.Random(seed)
        self.limit = limit
        self.journal = journal
        self.database = database
        self.count = 0
        self.trail: deque[str] = deque(maxlen=TRAIL)
        self.failure: str | None = None
        self.excluded: list[str] = []
        self.messages: list[str] = []
        self.exceptions: list[Any] = []
        self.qt_records: Callable[[], list[Any]] = list
        self._seen_records = 0
        self._tick_pending = False
        self._closing = False
        # A safety net: a dialog that appears by itself (after background work)
        # inside an event loop the monkey is not driving still gets handled.
        self._watchdog = QTimer()
        self._watchdog.setInterval(1000)
        self._watchdog.timeout.connect(self._schedule_tick)

    # --- the journal --------------------------------------------------------------------
    def note(self, text: str) -> None:
        """Record an event (or what the monkey saw) in the trail and the journal."""
        line = f"#{self.count} {text}"
        self.trail.append(line)
        self.journal.write(line + "\n")
        self.journal.flush()

    def report(self, what: str) -> str:
        """The failure text: what happened, how to reproduce it, the last events."""
        return (
            f"{what}\n\nПосле {self.count} событий (seed {self.seed}). Повторить:\n"
            f"  SHNOR_MONKEY_SEED={self.seed} SHNOR_MONKEY_EVENTS={self.limit} "
            f".venv/bin/python -m pytest tests/acceptance/test_monkey.py\n"
            f"Журнал всех событий: {self.journal.name}\n"
            f"Последние события:\n" + "\n".join(self.trail)
        )

    # --- checks ---------------------------------------------------------------------------
    def find_failure(self) -> str | None:
        """A Python exception, a Qt warning or a raw error message seen so far, if any."""
        if self.failure is not None:
            return self.failure
        if self.exceptions:
            return "Исключение Python в слоте Qt:\n" + str(
                format_captured_exceptions(self.exceptions)  # type: ignore[no-untyped-call]
            )
        records = self.qt_records()
        for record in records[self._seen_records :]:
            if record.matches_level("WARNING") and not record.ignored:
                return f"Предупреждение Qt ({record.log_type_name}): {record.message}"
        self._seen_records = len(records)
        window = self.window
        if not isValid(window) or not window.isVisible():
            return "Главное окно закрыто или удалено."
        if window.db is None or window.db.path != self.database:
            return f"Открыта не демо-база: {window.db.path if window.db else None}."
        return None

    def check(self) -> None:
        """Fail with the trail at the first finding."""
        failure = self.find_failure()
        if failure is not None:
            self.failure = failure
            raise MonkeyFailure(self.report(failure))

    # --- exclusions -----------------------------------------------------------------------
    def exclude(self, name: str, signal: Any) -> None:
        """Cut a signal's slots: the action would leave the demo database."""
        signal.disconnect()
        signal.connect(lambda *_args: self.note(f"исключено: {name}"))
        self.excluded.append(name)

    def install_exclusions(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Keep the monkey in the demo database and away from native dialogs."""
        window = self.window
        self.exclude("Файл → Создать базу данных (Ctrl+N)", window.act_new.triggered)
        self.exclude("Файл → Открыть (Ctrl+O)", window.act_open.triggered)
        self.exclude("Файл → Восстановить из резервной копии", window.act_restore.triggered)
        self.exclude("Файл → Выход (Ctrl+Q)", window.act_quit.triggered)
        for button in window.welcome.findChildren(QAbstractButton):
            self.exclude(f"стартовая страница: {button.text()}", button.clicked)
        # Файл → Недавние файлы calls window.open_database(path) at the time of the click.
        monkeypatch.setattr(
            window, "open_database", lambda path: self.note(f"исключено: открыть {path}")
        )
        self.excluded.append("Файл → Недавние файлы (открытие любой базы)")

        def no_file(*_args: Any, **_kwargs: Any) -> tuple[str, str]:
            self.note("диалог выбора файла: отмена")
            return "", ""

        def no_folder(*_args: Any, **_kwargs: Any) -> str:
            self.note("диалог выбора папки: отмена")
            return ""

        def no_url(url: Any) -> bool:
            self.note(f"не открыто во внешней программе: {url.toString()}")
            return True

        monkeypatch.setattr(QFileDialog, "getOpenFileName", no_file)
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", no_file)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", no_file)
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", no_folder)
        monkeypatch.setattr(QDesktopServices, "openUrl", no_url)

    # --- what is in front -----------------------------------------------------------------
    @staticmethod
    def blocker() -> QWidget | None:
        """The popup menu or modal dialog in front, if any."""
        popup = QApplication.activePopupWidget()
        if popup is not None and isValid(popup) and popup.isVisible():
            return popup
        modal = QApplication.activeModalWidget()
        if modal is not None and isValid(modal) and modal.isVisible():
            return modal
        return None

    def _schedule_tick(self) -> None:
        if not self._tick_pending:
            self._tick_pending = True
            QTimer.singleShot(0, self._tick)

    def _tick(self) -> None:
        """Inside whatever event loop runs now: act on the dialog or menu in front."""
        self._tick_pending = False
        front = self.blocker()
        if front is not None:
            self.act_on_blocker(front)

    def act_on_blocker(self, front: QWidget) -> None:
        """One random event to a dialog or menu, or close it."""
        self._schedule_tick()  # the next event, or the dialog below this one
        # Counted on the Qt object itself: a Python wrapper (and its id) may be new each time.
        done = int(front.property(EVENTS_PROPERTY) or 0)
        front.setProperty(EVENTS_PROPERTY, done + 1)
        if done == 0:
            self._saw(front)
        if (
            self._closing
            or self.failure is not None
            or self.find_failure() is not None
            or self.count >= self.limit
            or done >= MAX_EVENTS_PER_DIALOG
            or self.rng.random() < CLOSE_CHANCE
        ):
            self.close(front)
            return
        self.random_event(front, in_window=False)

    def _saw(self, front: QWidget) -> None:
        """Journal a dialog when it first appears; a raw error in a message is a finding."""
        if isinstance(front, QMessageBox):
            text = f"{front.text()} {front.informativeText()}".strip()
            self.note(f"сообщение «{front.windowTitle()}»: {text}")
            self.messages.append(text)
            raw = RAW_ERROR.search(text)
            if raw is not None and self.failure is None:
                self.failure = (
                    f"Сообщение показывает сырую ошибку ({raw.group()!r}): "
                    f"«{front.windowTitle()}» — {text}"
                )
        else:
            self.note(f"появилось окно: {describe_widget(front)}")

    def close(self, front: QWidget) -> None:
        """Close a dialog or menu: Escape as a user would, then by force."""
        self.note(f"закрыть: {describe_widget(front)}")
        QTest.keyClick(front, Key.Key_Escape)
        if isValid(front) and front.isVisible():
            if isinstance(front, QDialog):
                front.reject()
            else:
                front.close()
        if isValid(front) and front.isVisible():
            front.hide()

    def close_everything(self) -> None:
        """Close every dialog and menu the run left open."""
        self._closing = True
        for _ in range(100):
            front = self.blocker()
            if front is None:
                break
            self.close(front)
            QApplication.processEvents()
        self._closing = False

    # --- picking ------------------------------------------------------------------------------
    def pick_widget(self, root: QWidget) -> QWidget:
        """A visible, enabled widget under ``root`` (itself included); controls more often."""
        widgets = [root] + [
            w
            for w in root.findChildren(QWidget)
            if w.isVisible() and w.isEnabled() and w.width() > 0 and w.height() > 0
        ]
        weights = [6 if isinstance(w, INTERACTIVE) or _is_viewport(w) else 1 for w in widgets]
        return self.rng.choices(widgets, weights)[0]

    def point_in(self, widget: QWidget) -> QPoint:
        """A random point inside a widget."""
        return QPoint(
            self.rng.randrange(max(widget.width(), 1)), self.rng.randrange(max(widget.height(), 1))
        )

    # --- the events ---------------------------------------------------------------------------
    def step(self) -> None:
        """One random event: to the dialog or menu in front, else to the window."""
        self._schedule_tick()
        front = self.blocker()
        if front is not None:
            self.act_on_blocker(front)
        else:
            self.random_event(self.window, in_window=True)

    def random_event(self, root: QWidget, in_window: bool) -> None:
        """Send one random event to a widget under ``root``."""
        self.count += 1
        kinds: list[tuple[str, int]] = [
            ("click", 28),
            ("double", 5),
            ("context", 3),
            ("key", 22),
            ("text", 10),
            ("edit", 10 if in_window else 16),
            ("wheel", 8),
        ]
        if in_window:
            kinds += [("resize", 2), ("panel", 4), ("tab", 4), ("undo", 3), ("redo", 2)]
        names, weights = zip(*kinds, strict=True)
        kind = self.rng.choices(names, weights)[0]
        if kind in ("resize", "panel", "tab", "undo", "redo"):
            getattr(self, f"_do_{kind}")()
            return
        if kind == "edit":
            self._do_edit(root)
            return
        target = self.pick_widget(root)
        if kind in ("key", "text") and self.rng.random() < 0.7:
            focus = QApplication.focusWidget()
            if focus is not None and (focus is root or root.isAncestorOf(focus)):
                target = focus  # keys mostly go where the keyboard focus is
        getattr(self, f"_do_{kind}")(target)

    def _do_click(self, target: QWidget) -> None:
        pos = self.point_in(target)
        self.note(f"щелчок {describe_widget(target)} в ({pos.x()}, {pos.y()})")
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Mod.NoModifier, pos)

    def _do_double(self, target: QWidget) -> None:
        pos = self.point_in(target)
        self.note(f"двойной щелчок {describe_widget(target)} в ({pos.x()}, {pos.y()})")
        QTest.mouseDClick(target, Qt.MouseButton.LeftButton, Mod.NoModifier, pos)

    def _do_context(self, target: QWidget) -> None:
        pos = self.point_in(target)
        self.note(f"контекстное меню {describe_widget(target)} в ({pos.x()}, {pos.y()})")
        QTest.mouseClick(target, Qt.MouseButton.RightButton, Mod.NoModifier, pos)
        if isValid(target) and target.isVisible() and self.blocker() is None:
            event = QContextMenuEvent(
                QContextMenuEvent.Reason.Mouse, pos, target.mapToGlobal(pos), Mod.NoModifier
            )
            QApplication.sendEvent(target, event)

    def _do_key(self, target: QWidget) -> None:
        key, modifiers = self.rng.choice(KEYS)
        name = key.name.removeprefix("Key_")
        if modifiers & Mod.ControlModifier:
            name = "Ctrl+" + ("Shift+" if modifiers & Mod.ShiftModifier else "") + name
        self.note(f"клавиша {name} → {describe_widget(target)}")
        QTest.keyClick(target, key, modifiers)

    def _do_text(self, target: QWidget) -> None:
        text = self._random_text()
        self.note(f"текст «{text}» → {describe_widget(target)}")
        type_text(target, text)

    def _random_text(self) -> str:
        if self.rng.random() < 0.7:
            return self.rng.choice(TEXTS)
        return "".join(self.rng.choices(CYRILLIC_AND_DIGITS, k=self.rng.randint(1, 8)))

    def _do_edit(self, root: QWidget) -> None:
        """A user's edit: click a field, select all, type, then Enter, Tab, Escape or nothing."""
        editors = [
            w
            for w in root.findChildren(QWidget)
            if isinstance(w, EDITABLE) and w.isVisible() and w.isEnabled() and not _read_only(w)
        ]
        if not editors:
            self._do_click(self.pick_widget(root))
            return
        target = self.rng.choice(editors)
        if isinstance(target, QComboBox) and not target.isEditable():
            key = self.rng.choice((Key.Key_Down, Key.Key_Up, Key.Key_End, Key.Key_Home))
            self.note(f"выбор {key.name.removeprefix('Key_')} в {describe_widget(target)}")
            target.setFocus(Qt.FocusReason.TabFocusReason)
            QTest.keyClick(target, key)
            return
        text = self._random_text()
        finish = self.rng.choice(("Return", "Tab", "Tab", "Backtab", "Escape", ""))
        self.note(f"правка {describe_widget(target)} ← «{text}» {finish}".rstrip())
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Mod.NoModifier, self.point_in(target))
        if not isValid(target) or not target.isVisible() or self.blocker() not in (None, root):
            return
        QTest.keyClick(target, Key.Key_A, Mod.ControlModifier)
        type_text(target, text)
        if finish and isValid(target) and target.isVisible():
            QTest.keyClick(target, getattr(Key, f"Key_{finish}"))

    def _do_wheel(self, target: QWidget) -> None:
        pos = self.point_in(target)
        delta = self.rng.choice((-360, -120, -120, -40, 40, 120, 120, 360))
        horizontal = self.rng.random() < 0.15
        modifiers = self.rng.choice(
            (Mod.NoModifier,) * 5 + (Mod.ControlModifier, Mod.ShiftModifier)
        )
        self.note(
            f"колесо {delta:+d}{' по горизонтали' if horizontal else ''} "
            f"{describe_widget(target)} в ({pos.x()}, {pos.y()})"
        )
        event = QWheelEvent(
            QPointF(pos),
            QPointF(target.mapToGlobal(pos)),
            QPoint(0, 0),
            QPoint(delta, 0) if horizontal else QPoint(0, delta),
            Qt.MouseButton.NoButton,
            modifiers,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(target, event)

    def _do_resize(self) -> None:
        width, height = self.rng.randint(800, 1400), self.rng.randint(500, 900)
        self.note(f"размер окна {width}×{height}")
        self.window.resize(width, height)

    def _do_panel(self) -> None:
        nav = self.window.nav
        row = self.rng.randrange(nav.count())
        self.note(f"панель «{nav.item(row).text()}»")
        rect = nav.visualItemRect(nav.item(row))
        if nav.isVisible() and rect.isValid():
            QTest.mouseClick(
                nav.viewport(), Qt.MouseButton.LeftButton, Mod.NoModifier, rect.center()
            )
        else:
            nav.setCurrentRow(row)

    def _do_tab(self) -> None:
        tabs = [t for t in self.window.findChildren(QTabWidget) if t.isVisible() and t.count()]
        if not tabs:
            self.note("вкладка: на панели нет вкладок")
            return
        widget = self.rng.choice(tabs)
        index = self.rng.randrange(widget.count())
        bar = widget.tabBar()
        self.note(f"вкладка «{widget.tabText(index)}» [{describe_widget(widget)}]")
        rect = bar.tabRect(index)
        if widget.isEnabled() and rect.isValid() and bar.rect().contains(rect.center()):
            QTest.mouseClick(bar, Qt.MouseButton.LeftButton, Mod.NoModifier, rect.center())
        else:
            widget.setCurrentIndex(index)

    def _do_undo(self) -> None:
        action = self.window.act_undo
        self.note(f"Правка → {action.text()}{'' if action.isEnabled() else ' (недоступно)'}")
        action.trigger()

    def _do_redo(self) -> None:
        action = self.window.act_redo
        self.note(f"Правка → {action.text()}{'' if action.isEnabled() else ' (недоступно)'}")
        action.trigger()

    # --- the run ------------------------------------------------------------------------------
    def busy(self) -> bool:
        """True while background work of the window or of any panel runs."""
        tasks = [*self.window.tasks, *self.window.findChildren(BackgroundTask)]
        return any(isValid(t) and t.running for t in tasks)

    def settle(self) -> None:
        """Let background work finish and deleted widgets go."""
        self.qtbot.waitUntil(lambda: not self.busy(), timeout=20000)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()

    def walk(self) -> None:
        """Show every panel of the navigation and every tab on it."""
        nav = self.window.nav
        assert nav.count() == len(self.window.panels), "every panel must be in the navigation"
        for row in range(nav.count()):
            nav.setCurrentRow(row)
            QApplication.processEvents()
            assert self.window.stack.currentWidget() is self.window.panels[row]
            self.note(f"обход: панель «{nav.item(row).text()}»")
            for tabs in self.window.panels[row].findChildren(QTabWidget):
                for index in range(tabs.count()):
                    tabs.setCurrentIndex(index)
                    QApplication.processEvents()
                    self.note(f"обход: вкладка «{tabs.tabText(index)}»")
                    self.check()
            self.check()

    def run(self) -> None:
        """Send events until the limit, checking after each one."""
        self._watchdog.start()
        try:
            while self.count < self.limit:
                self.step()
                QApplication.processEvents()
                self.check()
                if self.count % SETTLE_EVERY == 0:
                    self.settle()
                    self.check()
        finally:
            self._watchdog.stop()

    def finish(self) -> None:
        """Close what is open and save what was typed but not yet left."""
        self.close_everything()
        focus = QApplication.focusWidget()
        if focus is not None:
            focus.clearFocus()  # leaving an editor saves it, as when the window closes
        QApplication.processEvents()
        self.settle()
        self.close_everything()
        self.check()

    def undo_everything(self) -> int:
        """Undo every action of the session on the domain's stack; return the steps."""
        db = self.window.db
        assert db is not None
        steps = 0
        while db.undo.can_undo:
            info = db.undo.next_undo()
            try:
                db.undo.undo()
            except DomainError as exc:
                what = f"№{info.id} «{info.label}» ({info.kind})" if info else "?"
                raise MonkeyFailure(
                    self.report(
                        f"Отмена набора {what} не удалась после {steps} отмен: "
                        f"{type(exc).__name__}: {describe_error(exc)}"
                    )
                ) from exc
            steps += 1
            QApplication.processEvents()  # the panels refresh as after Правка → Отменить
            self.check()
        self.note(f"отменено всё: {steps} шагов")
        return steps


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` key by key, Cyrillic included.

    ``QTest.keyClicks`` aborts the process on a letter outside ASCII (an
    assertion in Qt's qasciikey.cpp); a keyboard sends such a letter with its
    upper-case code as the key, which is what this does.
    """
    for char in text:
        if not isValid(widget):
            return  # a key (Space on a button) removed it: a keyboard types elsewhere then
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key(ord(char.upper())), char, Mod.NoModifier
        )


def _read_only(widget: QWidget) -> bool:
    read_only = getattr(widget, "isReadOnly", None)
    return bool(read_only()) if callable(read_only) else False


def _is_viewport(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    return isinstance(parent, QAbstractScrollArea) and parent.viewport() is widget


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# --- the tests -------------------------------------------------------------------------------
def _tail(path: Path) -> str:
    if not path.exists():
        return "(журнала нет)"
    return "\n".join(path.read_text(encoding="utf-8").splitlines()[-TRAIL:])


def _text(output: str | bytes | None) -> str:
    # After a timeout subprocess hands back bytes even with text=True.
    if isinstance(output, bytes):
        return output.decode("utf-8", "replace")
    return output or ""


if os.environ.get("SHNOR_MONKEY_CHILD") == "1":
    # The offscreen platform cannot raise a window or grab the keyboard for a menu.
    @pytest.mark.qt_log_ignore(
        r"This plugin does not support raise\(\)",
        "This plugin does not support grabbing the keyboard",
    )
    def test_monkey_run(
        qtbot: QtBot,
        qtlog: Any,
        settings: QSettings,
        demo_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The monkey itself (run in a child process by the test below)."""
        seed = _env_int("SHNOR_MONKEY_SEED", DEFAULT_SEED)
        limit = _env_int("SHNOR_MONKEY_EVENTS", DEFAULT_EVENTS)
        path = os.environ.get("SHNOR_MONKEY_JOURNAL") or demo_path.parent / "monkey-journal.txt"
        before = dump_tables(demo_path)
        started = time.monotonic()
        window = MainWindow(settings)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        assert window.open_database(demo_path)
        failure = ""
        # Every event is written as it happens, so the journal outlives a crash.
        with Path(path).open("w", encoding="utf-8") as journal:
            monkey = Monkey(
                window, qtbot=qtbot, seed=seed, limit=limit, journal=journal, database=demo_path
            )
            monkey.qt_records = lambda: list(qtlog.records)
            monkey.install_exclusions(monkeypatch)
            monkey.note(f"seed {seed}, событий {limit}; исключены: {'; '.join(monkey.excluded)}")
            with qtbot.captureExceptions() as exceptions:
                monkey.exceptions = exceptions
                steps = 0
                try:
                    monkey.settle()
                    monkey.walk()
                    monkey.run()
                    monkey.finish()
                    steps = monkey.undo_everything()
                except MonkeyFailure as exc:
                    failure = str(exc)
                    monkey.close_everything()
            difference = describe_difference(before, dump_tables(demo_path))
            if difference and not failure:
                failure = monkey.report(
                    f"После отмены всех действий ({steps}) данные не равны демо-базе:\n{difference}"
                )
        if failure:
            pytest.fail(failure, pytrace=False)
        seconds = time.monotonic() - started
        print(
            f"\nОбезьяна: {monkey.count} событий пережито (seed {seed}); "
            f"{seconds:.1f} с, {monkey.count / seconds:.0f} событий/с; "
            f"отменено шагов: {steps}; сообщений: {len(monkey.messages)}"
        )

else:

    def test_monkey_survives_and_undo_restores_the_demo(tmp_path: Path) -> None:
        """Run the monkey in a child process: a crash or a hang fails here, with the journal."""
        journal = tmp_path / "monkey-journal.txt"
        env = dict(os.environ, SHNOR_MONKEY_CHILD="1", SHNOR_MONKEY_JOURNAL=str(journal))
        if env.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
            # The offscreen screen is 800×800 by default and clamps the window to it;
            # a laptop-sized screen lets the random resizes (up to 1400×900) happen.
            screen = tmp_path / "screen.json"
            screen.write_text(json.dumps({"screens": [SCREEN]}), encoding="utf-8")
            env["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
        events = _env_int("SHNOR_MONKEY_EVENTS", DEFAULT_EVENTS)
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rP",  # a passing test's output holds the survivors' line
            "-p",
            "no:cacheprovider",
            f"--basetemp={tmp_path / 'child'}",
            f"{Path(__file__).resolve()}::test_monkey_run",
        ]
        # About 250 events a second here; a hang still ends long before CI gives up.
        timeout = 120 + events // 20
        hung: str | None = None
        try:
            child = subprocess.run(
                command,
                check=False,
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            hung = f"{_text(exc.stdout)}{_text(exc.stderr)}"
        if hung is not None:
            pytest.fail(
                f"Обезьяна зависла (> {timeout} с). Последние события ({journal}):\n"
                f"{_tail(journal)}\n\n{hung}",
                pytrace=False,
            )
        # Qt's «plugin does not support …» notes would push the failure out of the tail.
        output = "".join(
            line
            for line in (child.stdout + child.stderr).splitlines(keepends=True)
            if "This plugin does not support" not in line
        )
        survived = [line for line in output.splitlines() if line.startswith("Обезьяна:")]
        if child.returncode != 0 or not survived:
            # A crash (the process died) leaves no report of the child: show the journal.
            trail = "" if "Последние события" in output else f"\n{journal}:\n{_tail(journal)}"
            pytest.fail(
                f"Обезьяна не выжила (код {child.returncode}).\n{output[-15000:]}{trail}",
                pytrace=False,
            )
        print("\n" + survived[0])
