"""Bench of the write path at region scale (issue: the write path, ready for bulk).

Prints, in one run on the same machine:

* 100,000 result rows written through the change log, and the same rows by a
  plain ``executemany`` on a database without the log;
* the file size with and without the log;
* the revert of those rows, and reading the change-set list after it;
* one edit and its undo on a database holding 2,000,000 result rows.

Targets: through the log ≤ 2× plain; the log adds ≤ 30 % to the file; revert
≤ 2 s; the change-set list ≤ 10 ms; an edit and its undo ≤ 5 ms each.

Usage: ``.venv/bin/python bench/write_path.py [--rows 100000] [--big 2000000]``.
The last line is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _common import median_ms, timed  # bench/ is on sys.path when a bench runs

from shnor_desktop.models.database import Database

SUBJECTS = (
    "Русский язык",
    "Математика",
    "Окружающий мир",
    "История",
    "Биология",
    "География",
    "Обществознание",
    "Физика",
    "Химия",
    "Английский язык",
)
PROCEDURES = ("ВПР", "ОГЭ", "ЕГЭ", "РПР", "ГВЭ")
ROWS_PER_SCHOOL_YEAR = len(SUBJECTS) * 10  # 10 subjects × 10 grades (2–11)


def result_rows(schools: list[int], years: range, limit: int) -> Iterator[dict[str, Any]]:
    """Realistic result rows (marks adding up to the participants), ``limit`` of them."""
    count = 0
    for year in years:
        for procedure in PROCEDURES:
            for school in schools:
                for s, subject in enumerate(SUBJECTS):
                    for grade in range(2, 12):
                        if count >= limit:
                            return
                        n = 10 + (school + s + grade) % 25
                        n2 = n // 10
                        n5 = n // 5
                        n4 = n // 3
                        n3 = n - n2 - n4 - n5
                        yield {
                            "school_id": school,
                            "year": year,
                            "procedure": procedure,
                            "subject": subject,
                            "grade": grade,
                            "pupils_due": n + 1,
                            "participants": n,
                            "n2": n2,
                            "n3": n3,
                            "n4": n4,
                            "n5": n5,
                            "source": "import",
                        }
                        count += 1


def make_db(path: Path, schools: int) -> tuple[Database, list[int]]:
    """A database with ``schools`` schools (written through the log, like the demo)."""
    db = Database.open(path)
    with db.log.change_set("Школы региона", "demo") as cs:
        ids = cs.insert_many(
            "school",
            [
                {"code": f"{i:05d}", "full_name": f"МОУ «СОШ № {i}»", "short_name": f"СОШ № {i}"}
                for i in range(1, schools + 1)
            ],
        )
    return db, ids


def file_size(db: Database) -> int:
    """The size of the database file after a checkpoint (the WAL folded in)."""
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db.path.stat().st_size


def main() -> None:  # noqa: PLR0915 (one straight run of measurements)
    """Run the bench and print the table and the JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=2_000_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="shnor-bench-"))
    schools = 1500
    figures: dict[str, float] = {}

    # --- 100,000 rows through the log against a plain executemany -----------------------
    rows = list(result_rows(list(range(1, schools + 1)), range(2022, 2023), args.rows))
    db, _ = make_db(folder / "log.sqlite", schools)
    empty_size = file_size(db)

    def through_log() -> int:
        with db.log.change_set("Импорт результатов", "import") as cs:
            cs.insert_many("assessment", rows)
        assert cs.id is not None
        return cs.id

    figures["log_write_s"], set_id = timed(through_log)
    log_size = file_size(db)

    plain, _ = make_db(folder / "plain.sqlite", schools)
    columns = list(rows[0])
    sql = (
        f"INSERT INTO assessment ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    )

    def plain_write() -> None:
        plain.conn.execute("BEGIN IMMEDIATE")
        plain.conn.executemany(sql, [[r[c] for c in columns] for r in rows])
        plain.conn.execute("COMMIT")

    figures["plain_write_s"], _ = timed(plain_write)
    plain_size = file_size(plain)
    plain.close()
    figures["log_vs_plain"] = figures["log_write_s"] / figures["plain_write_s"]
    figures["size_with_log_mb"] = log_size / 2**20
    figures["size_plain_mb"] = plain_size / 2**20
    data_growth = plain_size - empty_size
    figures["log_adds_pct"] = 100 * (log_size - plain_size) / max(data_growth, 1)

    figures["revert_s"], _ = timed(lambda: db.log.revert(set_id, label="Откат импорта"))
    figures["set_list_ms"] = median_ms(db.log.recent_sets)
    db.close()

    # --- one edit and its undo beside 2,000,000 rows ------------------------------------
    big, ids = make_db(folder / "big.sqlite", schools)
    years = range(2015, 2015 + 1 + args.big // (schools * ROWS_PER_SCHOOL_YEAR * len(PROCEDURES)))
    start = time.perf_counter()
    remaining = args.big
    batch: list[dict[str, Any]] = []
    with big.log.change_set("Результаты региона", "import") as cs:
        for row in result_rows(ids, years, args.big):
            batch.append(row)
            if len(batch) == 200_000:
                cs.insert_many("assessment", batch)
                remaining -= len(batch)
                batch = []
        if batch:
            cs.insert_many("assessment", batch)
    figures["big_build_s"] = time.perf_counter() - start
    figures["big_rows"] = float(big.conn.execute("SELECT count(*) FROM assessment").fetchone()[0])
    big.undo.clear()
    assessment_id = int(big.conn.execute("SELECT max(id) FROM assessment").fetchone()[0])
    edits: list[float] = []
    undos: list[float] = []
    for i in range(21):
        t0 = time.perf_counter()
        with big.log.change_set("Правка результата") as cs:
            cs.update("assessment", assessment_id, {"n5": i % 3 + 1})
        t1 = time.perf_counter()
        big.undo.undo()
        t2 = time.perf_counter()
        edits.append((t1 - t0) * 1000)
        undos.append((t2 - t1) * 1000)
    figures["edit_ms"] = statistics.median(edits)
    figures["undo_ms"] = statistics.median(undos)
    figures["big_set_list_ms"] = median_ms(big.log.recent_sets)
    big.close()

    targets = {
        "log_vs_plain": ("≤ 2,0×", figures["log_vs_plain"] <= 2.0),
        "log_adds_pct": ("≤ 30 %", figures["log_adds_pct"] <= 30),
        "revert_s": ("≤ 2 с", figures["revert_s"] <= 2.0),
        "set_list_ms": ("≤ 10 мс", figures["set_list_ms"] <= 10),
        "edit_ms": ("≤ 5 мс", figures["edit_ms"] <= 5),
        "undo_ms": ("≤ 5 мс", figures["undo_ms"] <= 5),
    }
    print(f"{'что':<48}{'значение':>14}  цель")
    lines = (
        (f"{args.rows:_} строк через журнал, с".replace("_", " "), "log_write_s", "{:.2f}"),
        ("те же строки простым executemany, с", "plain_write_s", "{:.2f}"),
        ("журнал / простой", "log_vs_plain", "{:.2f}×"),
        ("файл с журналом, МБ", "size_with_log_mb", "{:.1f}"),
        ("файл без журнала, МБ", "size_plain_mb", "{:.1f}"),
        ("журнал добавляет к росту файла, %", "log_adds_pct", "{:.1f}"),
        ("откат этих строк, с", "revert_s", "{:.2f}"),
        ("список наборов изменений после него, мс", "set_list_ms", "{:.2f}"),
        (
            f"база из {int(figures['big_rows']):_} строк: сборка, с".replace("_", " "),
            "big_build_s",
            "{:.1f}",
        ),
        ("одна правка рядом с ними, мс", "edit_ms", "{:.2f}"),
        ("её отмена, мс", "undo_ms", "{:.2f}"),
        ("список наборов изменений там, мс", "big_set_list_ms", "{:.2f}"),
    )
    for text, key, fmt in lines:
        target = targets.get(key)
        mark = f"{target[0]} {'да' if target[1] else 'НЕТ'}" if target else ""
        print(f"{text:<48}{fmt.format(figures[key]).replace('.', ','):>14}  {mark}")
    print(json.dumps({k: round(v, 4) for k, v in figures.items()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
