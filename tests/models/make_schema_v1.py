"""Regenerate the fixture ``tests/models/data/schema_v1.sqlite``: a database of schema version 1.

The file stands for a database written by the first release, before the
folded search names (schema version 2) existed; ``test_migrations.py``
upgrades copies of it.  Run from the repository root::

    python tests/models/make_schema_v1.py

Only ``MIGRATIONS[0]`` is applied, then a district, two schools and one
passport are written with plain SQL (version 1 had no ``name_fold``).  The
WAL is checkpointed and the journal switched back to DELETE, with a small
page size, so the fixture is one small file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shnor_desktop.models import db
from shnor_desktop.models.schema import MIGRATIONS

FIXTURE = Path(__file__).resolve().parent / "data" / "schema_v1.sqlite"


def build(path: Path) -> None:
    """Write the version-1 database to ``path`` (replacing any file there)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    conn = db.connect(path)
    try:
        conn.execute("BEGIN")
        for step in MIGRATIONS[0]:
            if isinstance(step, str):
                for statement in db._statements(step):
                    conn.execute(statement)
            else:
                step(conn)
        conn.execute(
            "INSERT INTO district (id, name, region) VALUES (1, ?, ?)",
            ("Ивантеевский муниципальный район", "Саратовская область"),
        )
        conn.execute(
            "INSERT INTO school (id, code, full_name, short_name, kind, locality, distance_km)"
            " VALUES (1, '01', ?, ?, 'СОШ', ?, 18)",
            (
                "МОУ «СОШ с. Бартеневка им. П.Е. Толстова»",
                "СОШ с. Бартеневка",
                "с. Бартеневка",
            ),
        )
        conn.execute(
            "INSERT INTO school (id, code, full_name, short_name, kind, locality)"
            " VALUES (2, '02', ?, ?, 'СОШ', ?)",
            ("МОУ «СОШ п. Знаменский»", "СОШ п. Знаменский", "п. Знаменский"),
        )
        conn.execute(
            "INSERT INTO school_profile (school_id, year, pupils_total, pupils_1_4,"
            " pupils_5_9, pupils_10_11, pct_low_income) VALUES (1, 2022, 86, 36, 48, 1, 11)"
        )
        conn.execute("PRAGMA user_version = 1")
        conn.execute(f"PRAGMA application_id = {db.APPLICATION_ID}")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA page_size = 1024")
        conn.execute("VACUUM")
    finally:
        conn.close()


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE)
    print(FIXTURE if len(sys.argv) <= 1 else sys.argv[1])
