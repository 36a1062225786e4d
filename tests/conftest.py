"""Shared test set-up: headless Qt and a UTF-8 locale before anything imports Qt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")


@pytest.fixture
def tmp_db_path(tmp_path: Path) -> Path:
    """Path of a database file that does not exist yet, in a fresh temporary folder."""
    return tmp_path / "test.sqlite"
