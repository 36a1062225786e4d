"""Shared test set-up: headless Qt and a UTF-8 locale before anything imports Qt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")


@pytest.fixture
def tmp_db_path(tmp_path: Path) -> Path:
    """Path of a database file that does not exist yet, in a fresh temporary folder."""
    return tmp_path / "test.sqlite"


@pytest.fixture
def empty_db(tmp_db_path: Path) -> Iterator[Any]:
    """A new, empty database (schema only), closed after the test."""
    from shnor_desktop.models.database import Database

    with closing(Database.open(tmp_db_path)) as db:
        yield db


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per test session (copied for each test)."""
    from shnor_desktop.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    build_demo(path)
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database."""
    import shutil

    target = tmp_path / "Демо-район.sqlite"
    shutil.copy(demo_template, target)
    return target


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[object]:
    """Settings in a file of the test's own, never the user's."""
    from PySide6.QtCore import QSettings

    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield store
    store.sync()


@pytest.fixture(autouse=True)
def _no_forgotten_modal_dialog(request: pytest.FixtureRequest) -> Iterator[None]:
    """Turn a modal dialog nobody answers (a hang in CI) into a failure with its text.

    A watchdog looks at the active modal widget every half second; one that stays
    open for 15 s is closed and the test fails, naming what it asked.
    """
    if "qtbot" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("qapp")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

    stuck: list[str] = []
    seen: dict[int, int] = {}

    def look() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            seen.clear()
            return
        ticks = seen.get(id(modal), 0) + 1
        seen.clear()
        seen[id(modal)] = ticks
        if ticks < 30:
            return
        text = modal.text() if isinstance(modal, QMessageBox) else modal.windowTitle()
        stuck.append(f"{type(modal).__name__}: {text}")
        if isinstance(modal, QDialog):
            modal.reject()
        elif isinstance(modal, QWidget):
            modal.close()

    timer = QTimer()
    timer.setInterval(500)
    timer.timeout.connect(look)
    timer.start()
    yield
    timer.stop()
    if stuck:
        pytest.fail("Модальное окно ждало ответа, которого тест не дал: " + "; ".join(stuck))
