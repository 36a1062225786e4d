"""Report timings (issue 11, §3): build time and page count of each report.

* the annual report and the results note of the demo district (PDF, and DOCX);
* the annual report and the results note of a region-sized database:
  1,500 schools with passports and two school years of results (ВПР 4–8,
  ОГЭ 9, ЕГЭ 11; ≈ 60,000 rows), written through the change log.

Targets: the district's annual report ≤ 2 s.  Each row is one
:class:`Row` (name, seconds, pages); other areas add their rows with
:func:`add_rows` — signing and verifying add theirs this way
(``ROWS_FROM.append(callable)``: a function taking the work folder and the
demo's annual PDF and returning rows).

    python bench/reports.py [--schools 1500] [--skip-region]

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from shnor_desktop.models.database import Database
from shnor_desktop.services.demo import build_demo
from shnor_desktop.services.reports import ReportParams, build_report

YEARS = (2021, 2022)
GROUPS = ("shnor", "risk", "prevention", "leader", "none", "none", "none")
CATALOGUE = (
    ("ВПР", 4, ("Русский язык", "Математика", "Окружающий мир")),
    ("ВПР", 5, ("Русский язык", "Математика", "История", "Биология")),
    ("ВПР", 6, ("Русский язык", "Математика")),
    ("ВПР", 7, ("Русский язык", "Математика")),
    ("ВПР", 8, ("Русский язык", "Математика")),
    ("ОГЭ", 9, ("Русский язык", "Математика", "Обществознание")),
    ("ЕГЭ", 11, ("Русский язык", "Математика (профильная)")),
)


@dataclass(frozen=True)
class Row:
    """One measured figure."""

    name: str
    seconds: float
    pages: int = 0
    note: str = ""


ROWS_FROM: list[Callable[[Path, Path], list[Row]]] = []
"""Extra measurements run after the reports: fn(work folder, the demo's annual PDF) → rows."""


def add_rows(fn: Callable[[Path, Path], list[Row]]) -> Callable[[Path, Path], list[Row]]:
    """Register a measurement (a decorator); it runs after the reports' own rows."""
    ROWS_FROM.append(fn)
    return fn


def _result(  # noqa: PLR0917 (the fields of one row)
    rng: random.Random, school: int, year: int, procedure: str, grade: int, subject: str
) -> dict[str, Any]:
    participants = 5 + (school * 7 + grade) % 30
    shares = [rng.random() ** 2 for _ in range(4)]
    total = sum(shares) or 1.0
    marks = [int(participants * s / total) for s in shares]
    marks[1] += participants - sum(marks)
    row: dict[str, Any] = {
        "school_id": school,
        "year": year,
        "procedure": procedure,
        "subject": subject,
        "grade": grade,
        "pupils_due": participants + 1,
        "participants": participants,
        "n2": marks[0],
        "n3": marks[1],
        "n4": marks[2],
        "n5": marks[3],
        "source": "import",
    }
    if procedure == "ВПР":
        lowered = rng.randint(0, participants // 2)
        raised = rng.randint(0, (participants - lowered) // 3)
        row.update(
            vpr_lowered=lowered, vpr_raised=raised, vpr_confirmed=participants - lowered - raised
        )
    else:
        row.update(mean_score=round(rng.uniform(8, 80), 1), below_minimum=min(marks[0], 1))
    return row


def build_region(path: Path, schools: int) -> float:
    """A region of ``schools`` schools with passports and two years of results; seconds."""
    started = time.perf_counter()
    rng = random.Random(11)
    db = Database.open(path)
    with db.log.change_set("Область", "import") as cs:
        cs.insert("district", {"name": "Тестовая область", "office": "Министерство образования"})
        ids = cs.insert_many(
            "school",
            [
                {
                    "code": f"{n:05d}",
                    "full_name": f"МОУ «СОШ № {n}»",
                    "short_name": f"СОШ № {n}",
                    "distance_km": float(n % 70),
                }
                for n in range(1, schools + 1)
            ],
        )
        cs.insert_many(
            "school_profile",
            [
                {
                    "school_id": school,
                    "year": year,
                    "pupils_total": 100 + school % 400,
                    "pupils_1_4": 40,
                    "pupils_5_9": 50,
                    "pupils_10_11": 10 + school % 400,
                    "pct_incomplete_families": float(school % 30),
                    "pct_low_income": float(school % 50),
                    "pct_teachers_65plus": float(school % 15),
                    "group_code": GROUPS[school % len(GROUPS)],
                    "group_reason": "по результатам кластеризации",
                    "source": "import",
                }
                for school in ids
                for year in YEARS
            ],
        )
    for year in YEARS:
        with db.log.change_set(f"Результаты {year}", "import") as cs:
            cs.insert_many(
                "assessment",
                [
                    _result(rng, school, year, procedure, grade, subject)
                    for school in ids
                    for procedure, grade, subjects in CATALOGUE
                    for subject in subjects
                ],
            )
    db.close()
    return time.perf_counter() - started


def _report(rows: list[Row], name: str, kind: str, db: Path, out: Path) -> None:
    result = build_report(kind, db, out, ReportParams(year=2022))
    rows.append(Row(name, round(result.seconds, 3), result.pages))
    print(f"{name}: {result.seconds:.2f} с, страниц: {result.pages}".replace(".", ","))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=1500)
    parser.add_argument("--skip-region", action="store_true")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        demo = work / "demo.sqlite"
        build_demo(demo)
        # The first build pays the imports and font loading once (as the window's first report).
        first = build_report("annual", demo, work / "first.pdf", ReportParams(year=2022))
        rows.append(Row("demo_annual_pdf_first", round(first.seconds, 3), first.pages))
        _report(rows, "demo_annual_pdf", "annual", demo, work / "annual.pdf")
        _report(rows, "demo_annual_docx", "annual", demo, work / "annual.docx")
        _report(rows, "demo_results_pdf", "results", demo, work / "results.pdf")
        _report(rows, "demo_results_docx", "results", demo, work / "results.docx")
        _report(rows, "demo_journal_pdf", "journal", demo, work / "journal.pdf")
        if not args.skip_region:
            region = work / "region.sqlite"
            seconds = build_region(region, args.schools)
            rows.append(Row("region_build", round(seconds, 3), note=f"{args.schools} школ"))
            print(f"Область ({args.schools} школ) построена за {seconds:.1f} с".replace(".", ","))
            _report(rows, "region_annual_pdf", "annual", region, work / "region_annual.pdf")
            _report(rows, "region_results_pdf", "results", region, work / "region_results.pdf")
        for measure in ROWS_FROM:
            rows.extend(measure(work, work / "annual.pdf"))
    print(json.dumps({r.name: asdict(r) for r in rows}, ensure_ascii=False), file=sys.stdout)


@add_rows
def signing_rows(work: Path, annual: Path) -> list[Row]:
    """Signing (PAdES, visible stamp) and verifying the demo's annual report; target ≤ 0,5 s."""
    from shnor_desktop.services.reports.pdf import SIGNATURE_BOX
    from shnor_desktop.services.signing import (
        StampPlace,
        make_test_certificate,
        sign_pdf,
        verify_pdf,
    )

    p12, pin = work / "bench.p12", "bench-1234"
    rows: list[Row] = []

    def timed(name: str, fn: Callable[[], object]) -> None:
        started = time.perf_counter()
        fn()
        seconds = time.perf_counter() - started
        rows.append(Row(name, round(seconds, 3)))
        print(f"{name}: {seconds:.3f} с".replace(".", ","))

    place = StampPlace(-1, SIGNATURE_BOX)
    timed("test_certificate", lambda: make_test_certificate(p12, pin, "Бенчмарк"))
    # The first signing pays pyHanko's import (≈ 0,5 s) once per process.
    timed("sign_first", lambda: sign_pdf(annual, work / "signed0.pdf", p12, pin, place=place))
    for number in (1, 2, 3):
        signed = work / f"signed{number}.pdf"

        def sign(target: Path = signed) -> object:
            return sign_pdf(annual, target, p12, pin, place=place)

        timed(f"sign_{number}", sign)
    timed("verify_first", lambda: verify_pdf(work / "signed1.pdf"))
    timed("verify", lambda: verify_pdf(work / "signed2.pdf"))
    assert verify_pdf(work / "signed3.pdf").ok
    return rows


if __name__ == "__main__":
    main()
