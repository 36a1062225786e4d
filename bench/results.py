"""Region-scale figures for the results area (issue 7, §6 «Scale»).

Builds a temporary database of 1,500 schools × 10 school years of results
through the write path (``ChangeSet.insert_many``, one change set of kind
«import» per year), then times, in a fresh child process (its peak RSS is the
querying process's own, the build's memory left out), what the «Результаты»
panel asks of ``db.results``:

* the results table's first page filtered and sorted in SQL (by name, by a
  metric), with its row count; a search; a group filter; «Все школы»;
* the district row (pooled counts), the rows with warnings;
* the pivot of one procedure, subject and grade over 10 years, and over
  every grade (``grade`` None); the series of two years for the charts;
* ``school_counts`` of a year; ВПР objectivity of a year; ОГЭ against the district.

Each query: «cold» is the first call on a fresh connection, «warm» the median
of ``--repeat`` calls after it.  Targets: ≤ 200 ms a query, ≤ 400 MB RSS.

Catalogues: ``full`` (default, ≈ 2 million rows: ВПР 4–8 × 12 subjects, ОГЭ 9
and ЕГЭ 11 × 14, ГВЭ 9/11 × 2, РПР 2–11 × 4 — every school writes every
work, the region's worst case) or ``brief`` (ВПР 4–8 × 2–4 subjects, ОГЭ 9 × 3,
ЕГЭ 11 × 3: ≈ 315,000 rows).

    python bench/results.py [--catalogue full|brief] [--schools 1500] [--years 10]
                            [--keep PATH] [--index]

``--keep PATH`` builds into PATH (or reuses it when it exists); ``--index``
adds the candidate indexes named in :data:`CANDIDATE_INDEXES` before querying
(to measure what a schema migration would bring).  The last line printed is
one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from _common import median_ms, timed  # bench/ is on sys.path when a bench runs

from shnor_desktop.models.database import Database
from shnor_desktop.models.results import (
    ExamQuery,
    ObjectivityQuery,
    PivotQuery,
    ResultsQuery,
)

VILLAGES = ("Бартеневка", "Знаменский", "Ивановка", "Арбузовка", "Яблоновый Гай", "Клевенка")
GROUPS = ("shnor", "risk", "prevention", "leader", "none", "none", "none")
VPR_SUBJECTS = (
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
    "Немецкий язык",
    "Информатика",
)
EXAM_SUBJECTS = (
    "Русский язык",
    "Математика",
    "Обществознание",
    "Биология",
    "История",
    "Физика",
    "Химия",
    "География",
    "Информатика",
    "Литература",
    "Английский язык",
    "Немецкий язык",
    "Французский язык",
    "Математика (профиль)",
)
RPR_SUBJECTS = ("Русский язык", "Математика", "Чтение", "Естествознание")

CATALOGUES: dict[str, tuple[tuple[str, int, tuple[str, ...]], ...]] = {
    "full": (
        *(("ВПР", grade, VPR_SUBJECTS) for grade in range(4, 9)),
        ("ОГЭ", 9, EXAM_SUBJECTS),
        ("ЕГЭ", 11, EXAM_SUBJECTS),
        ("ГВЭ", 9, EXAM_SUBJECTS[:2]),
        ("ГВЭ", 11, EXAM_SUBJECTS[:2]),
        *(("РПР", grade, RPR_SUBJECTS) for grade in range(2, 12)),
    ),
    "brief": (
        ("ВПР", 4, VPR_SUBJECTS[:3]),
        ("ВПР", 5, VPR_SUBJECTS[:4]),
        ("ВПР", 6, VPR_SUBJECTS[:4]),
        ("ВПР", 7, VPR_SUBJECTS[:2]),
        ("ВПР", 8, VPR_SUBJECTS[:2]),
        ("ОГЭ", 9, EXAM_SUBJECTS[:3]),
        ("ЕГЭ", 11, EXAM_SUBJECTS[:3]),
    ),
}

#: Indexes measured with ``--index`` (a schema migration is the lead's; see the report).
CANDIDATE_INDEXES: tuple[str, ...] = ()

FIRST_YEAR = 2015
PAGE = 100  # the first page the table shows (RecordTableModel fetches 500: measured too)


# --- building ------------------------------------------------------------------------------
def _result(
    rng: random.Random, school: int, year: int, *, procedure: str, grade: int, subject: str
) -> dict[str, Any]:
    due = 8 + (school * 7 + grade * 3) % 40
    participants = max(due - rng.randint(0, 4), 1)
    shares = [rng.random() ** 2 for _ in range(4)]
    total = sum(shares) or 1.0
    marks = [int(participants * s / total) for s in shares]
    marks[1] += participants - sum(marks)  # the marks add up to the participants
    row: dict[str, Any] = {
        "school_id": school,
        "year": year,
        "procedure": procedure,
        "subject": subject,
        "grade": grade,
        "pupils_due": due,
        "participants": participants,
        "n2": marks[0],
        "n3": marks[1],
        "n4": marks[2],
        "n5": marks[3],
        "mean_score": None,
        "below_minimum": None,
        "vpr_lowered": None,
        "vpr_confirmed": None,
        "vpr_raised": None,
        "source": "import",
    }
    if procedure == "ВПР":
        lowered = rng.randint(0, participants)
        raised = rng.randint(0, participants - lowered)
        row.update(
            vpr_lowered=lowered,
            vpr_raised=raised,
            vpr_confirmed=participants - lowered - raised,
        )
    elif procedure in ("ОГЭ", "ЕГЭ", "ГВЭ"):
        row.update(
            mean_score=round(rng.uniform(8, 80), 1),
            below_minimum=min(marks[0], rng.randint(0, 3)),
        )
    return row


def result_rows(
    catalogue: str, schools: list[int], year: int, rng: random.Random
) -> Iterator[dict[str, Any]]:
    """The result rows of one school year, school by school."""
    for school in schools:
        for procedure, grade, subjects in CATALOGUES[catalogue]:
            for subject in subjects:
                yield _result(rng, school, year, procedure=procedure, grade=grade, subject=subject)


def build(path: Path, catalogue: str, schools: int, years: int) -> dict[str, float]:
    """Write the region into ``path`` through the change log; return the build figures."""
    figures: dict[str, float] = {}
    rng = random.Random(7)
    db = Database.open(path)
    start = time.perf_counter()
    with db.log.change_set("Школы области", "import") as cs:
        ids = cs.insert_many(
            "school",
            [
                {
                    "code": f"{n:05d}",
                    "full_name": f"МОУ «СОШ с. {VILLAGES[n % len(VILLAGES)]}-{n}»",
                    "short_name": f"СОШ с. {VILLAGES[n % len(VILLAGES)]}-{n}",
                    "locality": f"с. {VILLAGES[n % len(VILLAGES)]}-{n}",
                }
                for n in range(1, schools + 1)
            ],
        )
        cs.insert_many(
            "school_profile",
            [
                {"school_id": school, "year": year, "group_code": rng.choice(GROUPS)}
                for school in ids
                for year in range(FIRST_YEAR, FIRST_YEAR + years)
            ],
        )
    figures["build_schools_s"] = time.perf_counter() - start
    start = time.perf_counter()
    written = 0
    for year in range(FIRST_YEAR, FIRST_YEAR + years):
        # One change set per year (an import of a year's results), written in chunks.
        with db.log.change_set(f"Результаты {year}", "import") as cs:
            batch: list[dict[str, Any]] = []
            for row in result_rows(catalogue, ids, year, rng):
                batch.append(row)
                if len(batch) == 50_000:
                    cs.insert_many("assessment", batch)
                    written += len(batch)
                    batch = []
            if batch:
                cs.insert_many("assessment", batch)
                written += len(batch)
        print(f"  {year}: {written:,} строк, {time.perf_counter() - start:.0f} с".replace(",", " "))
    figures["build_rows"] = float(written)
    figures["build_results_s"] = time.perf_counter() - start
    figures["build_rows_per_s"] = written / figures["build_results_s"]
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    figures["file_mb"] = path.stat().st_size / 2**20
    db.close()
    return figures


# --- querying (the child process) ----------------------------------------------------------
def cold_and_warm(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Cold (first call) and warm (median of ``repeat`` more) milliseconds, and the result."""
    cold, result = timed(fn)
    return cold * 1000, median_ms(fn, repeat), result


def _size(result: Any) -> int:
    """How many rows a query gave (1 for a single pooled row)."""
    if isinstance(result, tuple) and result and isinstance(result[0], list):
        return len(result[0])
    for name in ("rows", "schools"):
        value = getattr(result, name, None)
        if isinstance(value, tuple | list):
            return len(value)
    return len(result) if isinstance(result, list | dict) else 1


def run_queries(path: Path, repeat: int, add_indexes: bool) -> dict[str, Any]:
    """Open the database, time every query; return {name: (cold, warm, rows)} and the RSS."""
    db = Database.open(path)
    if add_indexes:
        for sql in CANDIDATE_INDEXES:
            db.conn.execute(sql)
        db.conn.execute("ANALYZE")
    results = db.results
    years = results.years()
    last = years[-1]
    base = ResultsQuery(last, "ВПР", "Математика", 5)
    exam = ResultsQuery(last, "ОГЭ", "Математика", 9)
    queries: list[tuple[str, str, Callable[[], Any]]] = [
        (
            "table_name",
            "таблица ВПР, стр. 1 по школе + число строк",
            lambda: (results.rows(base, 0, PAGE), results.count(base)),
        ),
        (
            "table_metric",
            "таблица, стр. 1 по качеству ↓ + число",
            lambda: (
                results.rows(q := _q(base, sort_key="quality", descending=True), 0, PAGE),
                results.count(q),
            ),
        ),
        (
            "table_metric_500",
            "таблица, 500 строк по СОУ (страница модели)",
            lambda: results.rows(_q(base, sort_key="sou"), 0, 500),
        ),
        (
            "table_exam_score",
            "таблица ОГЭ, стр. 1 по ср. баллу + число",
            lambda: (
                results.rows(q := _q(exam, sort_key="mean_score"), 0, PAGE),
                results.count(q),
            ),
        ),
        (
            "table_search",
            "поиск «бартеневка-1» + число",
            lambda: (
                results.rows(q := _q(base, search="БАРТЕНЕВКА-1"), 0, PAGE),
                results.count(q),
            ),
        ),
        (
            "table_group",
            "группа ШНОР, по «2» ↓ + число",
            lambda: (
                results.rows(q := _q(base, group="shnor", sort_key="n2", descending=True), 0, PAGE),
                results.count(q),
            ),
        ),
        (
            "table_all_schools",
            "«Все школы» (и без строки) + число",
            lambda: (
                results.rows(q := _q(base, with_empty=True), 0, PAGE),
                results.count(q),
            ),
        ),
        ("district", "строка «Район» (pooled)", lambda: results.pooled(base)),
        (
            "district_filtered",
            "«Итого по выборке» (группа)",
            lambda: results.pooled(_q(base, group="shnor")),
        ),
        ("warnings", "строки с предупреждениями", lambda: results.warning_rows(base)),
        (
            "pivot_grade",
            "сводная ВПР Матем. 5 кл. × 10 лет",
            lambda: results.pivot(PivotQuery("ВПР", "Математика", 5, "quality")),
        ),
        (
            "pivot_all_grades",
            "сводная ВПР Матем., все классы × 10 лет",
            lambda: results.pivot(PivotQuery("ВПР", "Математика", None, "quality")),
        ),
        (
            "pivot_group",
            "сводная, группа ШНОР",
            lambda: results.pivot(PivotQuery("ОГЭ", "Математика", 9, "mean_score", group="shnor")),
        ),
        (
            "series",
            "диаграмма: два года",
            lambda: results.series("ВПР", "Математика", 5, years[-2:]),
        ),
        (
            "school_counts",
            "school_counts за год (все процедуры)",
            lambda: results.school_counts(last),
        ),
        (
            "school_counts_vpr",
            "school_counts за год, ВПР",
            lambda: results.school_counts(last, "ВПР"),
        ),
        (
            "objectivity_row",
            "объективность ВПР: предмет и класс",
            lambda: results.objectivity(ObjectivityQuery(last, "Математика", 5)),
        ),
        (
            "objectivity_year",
            "объективность ВПР: весь год",
            lambda: results.objectivity(ObjectivityQuery(last)),
        ),
        (
            "exam",
            "ОГЭ: школы против района",
            lambda: results.exam_comparison(ExamQuery(last, "ОГЭ", "Математика", 9)),
        ),
    ]
    figures: dict[str, Any] = {"labels": {}}
    for key, label, fn in queries:
        cold, warm, result = cold_and_warm(fn, repeat)
        figures[key] = [round(cold, 2), round(warm, 2), _size(result)]
        figures["labels"][key] = label
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db.close()
    return figures


def _q(query: ResultsQuery, **changes: Any) -> ResultsQuery:
    from shnor_desktop.models.results import replace_query

    return replace_query(query, **changes)


# --- the run -------------------------------------------------------------------------------
def main() -> None:
    """Build (or reuse) the database, query it in a child process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalogue", choices=sorted(CATALOGUES), default="full")
    parser.add_argument("--schools", type=int, default=1500)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--index", action="store_true")
    parser.add_argument("--query", type=Path, help=argparse.SUPPRESS)  # the child's run
    args = parser.parse_args()
    if args.query is not None:
        print(json.dumps(run_queries(args.query, args.repeat, args.index), ensure_ascii=False))
        return
    figures: dict[str, Any] = {}
    folder = Path(tempfile.mkdtemp(prefix="shnor-results-"))
    path = args.keep or folder / "region.sqlite"
    if not path.exists():
        print(f"сборка: {args.schools} школ × {args.years} лет, каталог «{args.catalogue}»")
        figures.update(build(path, args.catalogue, args.schools, args.years))
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--query",
            str(path),
            "--repeat",
            str(args.repeat),
            *(["--index"] if args.index else []),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    queried = json.loads(child.stdout.strip().splitlines()[-1])
    labels = queried.pop("labels")
    rss = queried.pop("rss_mb")
    if "build_rows" in figures:
        print(f"{'сборка':<44}{'значение':>12}")
        for text, key, fmt in (
            ("строк результатов", "build_rows", "{:,.0f}"),
            ("школы и паспорта, с", "build_schools_s", "{:.1f}"),
            ("результаты через журнал, с", "build_results_s", "{:.1f}"),
            ("строк в секунду", "build_rows_per_s", "{:,.0f}"),
            ("файл, МБ", "file_mb", "{:.0f}"),
        ):
            value = fmt.format(figures[key]).replace(",", " ").replace(".", ",")
            print(f"{text:<44}{value:>12}")
        print()
    print(f"{'запрос':<44}{'холодный':>10}{'тёплый':>10}{'строк':>8}  цель ≤ 200 мс")
    worst = 0.0
    for key, (cold, warm, size) in queried.items():
        worst = max(worst, cold, warm)
        ok = "да" if max(cold, warm) <= 200 else "НЕТ"
        numbers = f"{cold:>10.1f}{warm:>10.1f}".replace(".", ",")
        print(f"{labels[key]:<44}{numbers}{size:>8}  {ok}")
    print(
        f"{'пиковая память процесса запросов, МБ':<44}{rss:>10.0f}  цель ≤ 400 МБ: "
        f"{'да' if rss <= 400 else 'НЕТ'}"
    )
    figures.update({f"{k}_cold_ms": v[0] for k, v in queried.items()})
    figures.update({f"{k}_warm_ms": v[1] for k, v in queried.items()})
    figures["worst_ms"] = worst
    figures["rss_mb"] = rss
    figures["catalogue"] = args.catalogue
    figures["indexes"] = list(CANDIDATE_INDEXES) if args.index else []
    print(
        json.dumps(
            {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()},
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
