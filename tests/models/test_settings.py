"""Settings: defaults until changed, checked on every path, undone like any other write."""

from __future__ import annotations

import json

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.settings import OBJECTIVITY_THRESHOLD
from tests.models.test_write_path import data_dump


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A new, empty database (``empty_db`` of tests/conftest.py)."""
    return empty_db


def test_a_setting_reads_its_default_until_changed(db: Database) -> None:
    assert db.settings.get(OBJECTIVITY_THRESHOLD) == 40.0
    assert db.settings.is_default(OBJECTIVITY_THRESHOLD)
    assert db.settings.set(OBJECTIVITY_THRESHOLD, "40", "Порог") is None  # nothing to write
    assert db.conn.execute("SELECT count(*) FROM setting").fetchone()[0] == 0


def test_a_changed_setting_is_logged_undone_and_redone(db: Database) -> None:
    before = data_dump(db.conn)
    info = db.settings.set(OBJECTIVITY_THRESHOLD, "35,5", "Порог необъективности")
    assert info is not None and info.touches("setting")
    assert db.settings.get(OBJECTIVITY_THRESHOLD) == 35.5
    changed = data_dump(db.conn)
    db.undo.undo()
    assert data_dump(db.conn) == before
    assert db.settings.get(OBJECTIVITY_THRESHOLD) == 40.0
    db.undo.redo()
    assert data_dump(db.conn) == changed


def test_setting_back_to_the_default_removes_the_row(db: Database) -> None:
    db.settings.set(OBJECTIVITY_THRESHOLD, 50, "Порог")
    db.settings.set(OBJECTIVITY_THRESHOLD, 40, "Порог")
    assert db.settings.is_default(OBJECTIVITY_THRESHOLD)
    db.settings.set(OBJECTIVITY_THRESHOLD, 50, "Порог")
    assert db.settings.reset(OBJECTIVITY_THRESHOLD, "Сброс") is not None
    assert db.settings.reset(OBJECTIVITY_THRESHOLD, "Сброс") is None
    assert db.settings.get(OBJECTIVITY_THRESHOLD) == 40.0


@pytest.mark.parametrize(("value", "code"), [("120", "share_range"), ("много", "not_number")])
def test_a_bad_value_is_refused_with_the_reason_and_nothing_written(
    db: Database, value: str, code: str
) -> None:
    before = data_dump(db.conn)
    with pytest.raises(InvalidValueError) as info:
        db.settings.set(OBJECTIVITY_THRESHOLD, value, "Порог")
    assert info.value.issue.code == code
    assert data_dump(db.conn) == before


def test_the_rule_holds_on_a_direct_write_too(db: Database) -> None:
    """Another path (an import, the command line) writing the row gets the same check."""
    with pytest.raises(InvalidValueError) as info, db.log.change_set("Импорт", "import") as cs:
        cs.insert("setting", {"key": OBJECTIVITY_THRESHOLD.key, "value": json.dumps(250)})
    assert info.value.issue.code == "share_range"
    with pytest.raises(InvalidValueError) as info, db.log.change_set("Импорт", "import") as cs:
        cs.insert("setting", {"key": OBJECTIVITY_THRESHOLD.key, "value": "{не json"})
    assert info.value.issue.code == "not_json"
