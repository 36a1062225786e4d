"""Region-scale figures for the school list: build, search, filter and sort.

Builds a temporary database of N schools (default 1,500, a region) with ten
years of passports each, written through the change log as the application
writes, then times the repository queries the school list runs.

    python bench/school_list.py [--schools 1500] [--years 10]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from shnor_desktop.models.database import Database
from shnor_desktop.models.schools import GROUP_LABELS, SchoolQuery

VILLAGES = ("Бартеневка", "Знаменский", "Ивановка", "Арбузовка", "Яблоновый Гай", "Клевенка")


FIGURES: dict[str, float] = {}


def _timed(label: str, action: Callable[[], object], repeat: int = 7) -> None:
    times = []
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    size = len(result) if isinstance(result, list) else ""
    FIGURES[label] = round(statistics.median(times) * 1000, 2)
    print(f"{label:<48} median {statistics.median(times) * 1000:8.1f} ms  rows {size}")


def main() -> None:
    """Build the database and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=1500)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(7)
    groups = list(GROUP_LABELS)
    with tempfile.TemporaryDirectory() as folder:
        db = Database.open(Path(folder) / "region.sqlite")
        start = time.perf_counter()
        with db.log.change_set("Область", "import") as cs:
            for n in range(args.schools):
                village = f"{rng.choice(VILLAGES)}-{n}"
                school_id = cs.insert(
                    "school",
                    {
                        "code": f"{n:05d}",
                        "full_name": f"МОУ «СОШ с. {village}»",
                        "short_name": f"СОШ с. {village}",
                        "locality": f"с. {village}",
                        "distance_km": rng.randint(0, 90),
                    },
                )
                for year in range(2025 - args.years, 2025):
                    cs.insert(
                        "school_profile",
                        {
                            "school_id": school_id,
                            "year": year,
                            "pupils_total": rng.randint(20, 900),
                            "pct_low_income": rng.uniform(5, 70),
                            "group_code": rng.choice(groups),
                        },
                    )
        built = time.perf_counter() - start
        FIGURES["build_s"] = round(built, 2)
        rows = args.schools * (1 + args.years)
        print(
            f"built {args.schools} schools × {args.years} years ({rows} rows, logged) "
            f"in {built:.2f} s"
        )
        year = 2024
        _timed("list, by name", lambda: db.schools.rows(SchoolQuery(year=year)))
        _timed(
            "list, by pupils descending",
            lambda: db.schools.rows(SchoolQuery(year=year, sort_key="pupils", descending=True)),
        )
        _timed(
            "search «БАРТЕНЕВКА» (Cyrillic folding)",
            lambda: db.schools.rows(SchoolQuery(search="БАРТЕНЕВКА", year=year)),
        )
        _timed("filter group ШНОР", lambda: db.schools.rows(SchoolQuery(group="shnor", year=year)))
        some = db.schools.rows(SchoolQuery(year=year))[0].id
        _timed("passports of one school (chart)", lambda: db.schools.profiles(some))
        start = time.perf_counter()
        set_id = db.schools.set_profile_value(some, year, "pct_low_income", 12.5, "bench")
        FIGURES["one passport edit ms"] = round(1000 * (time.perf_counter() - start), 2)
        print(f"{'one passport edit (change set)':<48} {FIGURES['one passport edit ms']:8.1f} ms")
        assert set_id is not None
        start = time.perf_counter()
        db.undo.undo()  # the log pushed the edit itself
        FIGURES["undo ms"] = round(1000 * (time.perf_counter() - start), 2)
        print(f"{'undo of that edit':<48} {FIGURES['undo ms']:8.1f} ms")
        db.close()
    print(json.dumps(FIGURES, ensure_ascii=False))


if __name__ == "__main__":
    main()
