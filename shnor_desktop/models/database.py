"""The open database: the writer connection, its change log, undo stack and repositories.

Reads go through a connection of the reading thread (``log.reader()``), so a
worker may write a long change set while the window keeps reading.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from shnor_desktop.models.changelog import ChangeLog, UndoStack
from shnor_desktop.models.db import BeforeUpgrade, open_database
from shnor_desktop.models.district import DistrictRepository
from shnor_desktop.models.events import EventRepository
from shnor_desktop.models.indicators import IndicatorRepository
from shnor_desktop.models.journal import JournalRepository
from shnor_desktop.models.meetings import MeetingRepository
from shnor_desktop.models.people import PeopleRepository
from shnor_desktop.models.results import ResultsRepository
from shnor_desktop.models.risks import RiskRepository
from shnor_desktop.models.roadmap import RoadmapRepository
from shnor_desktop.models.schools import SchoolRepository
from shnor_desktop.models.settings import SettingsRepository


class Database:
    """Everything the application does with one SQLite file goes through here."""

    def __init__(self, path: Path, conn: sqlite3.Connection, actor: str | None = None) -> None:
        self.path = path
        self.conn = conn
        self.log = ChangeLog(conn, actor)
        self.undo = UndoStack(self.log)
        self.schools = SchoolRepository(conn, self.log)
        self.district = DistrictRepository(conn, self.log)
        self.settings = SettingsRepository(self.log)
        self.results = ResultsRepository(self.log)
        self.indicators = IndicatorRepository(self.log, self.results)
        self.roadmap = RoadmapRepository(self.log)
        self.people = PeopleRepository(self.log, self.district)
        self.journal = JournalRepository(self.log)
        self.events = EventRepository(self.log)
        self.risks = RiskRepository(self.log, self.roadmap)
        self.meetings = MeetingRepository(self.log, self.roadmap)

    @classmethod
    def open(
        cls, path: Path, before_upgrade: BeforeUpgrade | None = None, *, read_only: bool = False
    ) -> Database:
        """Open (or create) the database at ``path``, migrating an older schema.

        ``read_only`` opens it for viewing only: every write is refused
        (:class:`~shnor_desktop.models.errors.ReadOnlyDatabaseError`).
        """
        path = Path(path)
        return cls(path, open_database(path, before_upgrade, read_only=read_only))

    @property
    def read_only(self) -> bool:
        """True when the database was opened for viewing only."""
        return self.log.read_only

    def reader(self) -> sqlite3.Connection:
        """The connection the calling thread reads with (see :meth:`ChangeLog.reader`)."""
        return self.log.reader()

    def close(self) -> None:
        """Checkpoint the WAL into the main file and close every connection."""
        self.log.close_readers()
        try:
            if not self.read_only:  # a viewer leaves the file to the one who writes it
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self.conn.close()
