"""Russian wording of every typed error (services/messages.py)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from shnor_desktop.models.errors import (
    AlreadyRevertedError,
    ConstraintError,
    IntegrityError,
    NotADatabaseError,
    RecordNotFoundError,
    RevertConflictError,
    SchemaTooNewError,
)
from shnor_desktop.services.backup import (
    BackupCancelled,
    BackupDamagedError,
    BackupFailedError,
    DatabaseBusyError,
    DatabaseMissingError,
    RestoreSameFileError,
)
from shnor_desktop.services.demo import DemoCancelled
from shnor_desktop.services.messages import describe_error

P = Path("район.sqlite")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            SchemaTooNewError(P, 3, 2),
            "Файл базы «район.sqlite» создан более новой версией программы (схема 3, эта версия "
            "понимает до 2). Обновите программу; файл не изменён.",
        ),
        (
            NotADatabaseError(P, "file is not a database"),
            "Файл «район.sqlite» не является базой данных ШНОР Desktop.",
        ),
        (IntegrityError(P, ["row 3 missing from index"]), "повреждена: row 3 missing from index"),
        (
            ConstraintError("school", "UNIQUE constraint failed: school.code"),
            "Такая запись уже есть в разделе «школы»",
        ),
        (
            ConstraintError(
                "school_profile", "CHECK constraint failed: pct_low_income BETWEEN 0 AND 100"
            ),
            "вне допустимых пределов (правило: pct_low_income BETWEEN 0 AND 100)",
        ),
        (
            ConstraintError("school", "NOT NULL constraint failed: school.full_name"),
            "не заполнено обязательное поле",
        ),
        (ConstraintError("school", "FOREIGN KEY constraint failed"), "отсутствующую запись"),
        (RecordNotFoundError("school", 7), "Запись № 7 в разделе «школы» не найдена"),
        (RevertConflictError(4, "school", 2, "director"), "Изменение № 4 нельзя отменить"),
        (AlreadyRevertedError(4), "Изменение № 4 уже отменено."),
        (BackupCancelled(), "Резервное копирование отменено"),
        (DatabaseMissingError(P), "Файл «район.sqlite» не найден."),
        (BackupDamagedError(P, ["malformed"]), "не прошла проверку целостности"),
        (BackupFailedError(P, "database or disk is full"), "не хватает места"),
        (DatabaseBusyError(P), "открыта в другой программе"),
        (RestoreSameFileError(P), "из неё самой"),
        (FileNotFoundError(errno.ENOENT, "No such file", "a.xlsx"), "Файл «a.xlsx» не найден."),
        (
            PermissionError(errno.EACCES, "Permission denied", "a.xlsx"),
            "Нет доступа к файлу «a.xlsx»",
        ),
        (OSError(errno.ENOSPC, "No space left on device"), "не хватает места"),
        (sqlite3.OperationalError("database is locked"), "База данных занята"),
        (DemoCancelled(), "Создание демонстрационной базы отменено"),
        (ValueError("что-то"), "Непредвиденная ошибка (ValueError): что-то."),
    ],
)
def test_describe_error(exc: BaseException, expected: str) -> None:
    text = describe_error(exc)
    assert expected in text
    assert text.strip() == text and text.endswith(".")
