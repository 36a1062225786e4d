"""The metric formulas (DESIGN.md §2, «Metrics») against the printed tables of the seeds.

Two real tables are re-computed from whole-pupil counts with
:mod:`shnor_desktop.models.metrics`: the district ВПР table of seed 003 and the
grade-distribution table of seed 000.  Every printed figure is either
reproduced to its printed precision or listed, with the reason, as a known
discrepancy of the document (the formula is kept).  Then the pooling rules,
the "no data" cases and properties of the formulas (hypothesis), including
the SQL function ``metric(...)`` against the Python one.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shnor_desktop.models import metrics
from shnor_desktop.models.db import open_database
from shnor_desktop.models.metrics import (
    COUNT_COLUMNS,
    METRIC_BY_KEY,
    METRICS,
    Counts,
    change,
    pool,
)


def printed(value: float | None, places: int, rounding: str = ROUND_HALF_UP) -> Decimal | None:
    """A figure rounded as the documents print it: half up (Excel's ROUND) to ``places`` decimals.

    Half up, not Python's half-even: seed 003 prints 34/64 = 53,125 % as «53,13».
    """
    if value is None:
        return None
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=rounding)


def cell(text: str) -> Decimal | None:
    """A printed cell as a number: «79,81» → 79.81, an empty cell → None."""
    return Decimal(text.replace(",", ".")) if text else None


def whole(share: str, of: int) -> int:
    """The whole number of pupils a printed share of ``of`` pupils stands for."""
    value = cell(share)
    assert value is not None
    return int((value * of / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- seed 003: the district ВПР table ----------------------------------------------------------


@dataclass(frozen=True)
class VprRow:
    """One row of the seed 003 ВПР table, every cell as printed."""

    grade: str
    subject: str
    due: str
    """«всего обучающихся в ОО района, подлежащих участию в ВПР» (empty for the languages)."""
    participants: str
    participation: str
    """«% участия», printed as a whole percent."""
    confirmed_raised: str
    """«Подтвердили и улучшили школьную оценку (%)» = confirmed + raised in our model."""
    lowered: str
    """«понизили результат школьной оценки (%)»."""
    failed: str
    """«не справились с работой (%)» = «2» / participants."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.grade, self.subject)


# Seed 003 (/work/shared/seeds/003_dd18fa7dfe349f77.txt, the table after «Анализ результатов ВПР
# в 2020 году»), copied exactly, cell by cell; "" is an empty cell.
SEED_003_VPR: Final = (
    ("5", "математика", "363", "327", "90", "79,81", "20,18", "5,2"),
    ("5", "русский язык", "363", "304", "84", "61,51", "38,49", "14,14"),
    ("5", "окружающий мир", "363", "336", "93", "58,63", "41,37", "2,08"),
    ("6", "русский язык", "356", "293", "82", "51,12", "48,81", "22,87"),
    ("6", "математика", "356", "267", "75", "43,82", "56,18", "18,35"),
    ("6", "биология", "356", "299", "84", "43,48", "56,52", "12,71"),
    ("6", "история", "356", "274", "77", "51,82", "48,18", "16,79"),
    ("7", "русский язык", "386", "307", "80", "45,93", "54,07", "35,18"),
    ("7", "математика", "386", "295", "76", "61,02", "38,98", "15,25"),
    ("7", "биология", "386", "283", "73", "45,94", "54,06", "17,31"),
    ("7", "история", "386", "290", "75", "46,9", "53,1", "14,14"),
    ("7", "география", "386", "304", "79", "52,3", "47,7", "8,22"),
    ("7", "обществознание", "386", "282", "73", "43,26", "56,74", "24,11"),
    ("8", "русский язык", "340", "273", "80", "50,18", "49,82", "24,54"),
    ("8", "математика", "340", "275", "80", "65,09", "34,91", "12,36"),
    ("8", "биология", "340", "265", "78", "53,96", "46,04", "12,45"),
    ("8", "история", "340", "263", "77", "53,99", "46,01", "15,21"),
    ("8", "география", "340", "259", "76", "39,77", "60,23", "17,37"),
    ("8", "обществознание", "340", "256", "75", "51,95", "48,05", "21,88"),
    ("8", "физика", "340", "263", "77", "38,02", "61,98", "25,1"),
    ("8", "английский язык", "", "220", "", "23,18", "76,82", "32,27"),
    ("8", "немецкий язык", "", "22", "", "50", "50", "31,82"),
    ("9", "русский язык", "312", "64", "21", "53,13", "46,88", "31,25"),
    ("9", "математика", "312", "49", "16", "57,14", "42,86", "6,12"),
    ("9", "физика", "312", "77", "25", "25,97", "72,73", "27,27"),
    ("9", "химия", "312", "60", "19", "36,67", "63,33", "15"),
    ("9", "биология", "312", "69", "22", "82,61", "13,04", "0"),
    ("9", "история", "312", "53", "17", "69,81", "22,64", "16,98"),
    ("9", "география", "312", "58", "19", "20,69", "79,31", "25,86"),
    ("9", "обществознание", "312", "45", "14", "51,11", "48,89", "29,44"),
    ("11", "химия", "92", "11", "12", "5", "6", "18,18"),
    ("11", "биология", "92", "27", "29", "22", "5", "0"),
    ("11", "история", "92", "18", "20", "11", "7", "0"),
    ("11", "география", "92", "8", "7", "2", "6", "0"),
    ("11", "английский язык", "", "74", "", "45", "25", "5,41"),
    ("11", "немецкий язык", "", "1", "", "0", "1", "0"),
    ("11", "физика", "92", "4", "4", "4", "0", "0"),
    ("10", "география", "73", "5", "7", "3", "2", "0"),
)
VPR_ROWS: Final = tuple(VprRow(*cells) for cells in SEED_003_VPR)

# In the rows of grades 10 and 11 the two ВПР columns hold whole pupils, not the
# «%» of their header: 5 + 6 = 11 participants (химия), 22 + 5 = 27 (биология) …
COUNTS_PRINTED_GRADES: Final = frozenset({"10", "11"})

# The printed columns and the metric each is checked against (with its printed decimals).
PARTICIPATION, CONFIRMED_RAISED, LOWERED, FAILED = (
    "participation",
    "confirmed_raised",
    "lowered",
    "failed",
)

# Why a printed figure is not the formula's.
NO_WHOLE_COUNT: Final = "no whole count of the pupils rounds to the printed share"
OVER_PARTICIPANTS: Final = (
    "the share is of all participants, though fewer pupils were compared "
    "(the two ВПР columns do not sum to 100 %); DESIGN divides by the compared pupils"
)
COUNTS_GIVE_OTHER: Final = "the printed counts themselves give another figure"


@dataclass(frozen=True)
class Discrepancy:
    """A printed figure of a seed that the DESIGN formula does not reproduce."""

    grade: str
    subject: str
    column: str
    formula: str
    """The formula's value from the reconstructed counts, at the printed precision."""
    kind: str
    note: str


SEED_003_DISCREPANCIES: Final = (
    Discrepancy(
        "5", "математика", CONFIRMED_RAISED, "79,82", NO_WHOLE_COUNT,
        "261/327 = 79,8165 % (truncated, not rounded, to 79,81; 260/327 = 79,51 %); "
        "the pair prints 79,81 + 20,18 = 99,99",
    ),
    Discrepancy(
        "6", "русский язык", CONFIRMED_RAISED, "51,19", NO_WHOLE_COUNT,
        "150/293 = 51,19 % = 100 − 48,81 (149/293 = 50,85 %): «51,12» looks like a typo; "
        "the pair prints 51,12 + 48,81 = 99,93",
    ),
    Discrepancy(
        "8", "математика", PARTICIPATION, "81", COUNTS_GIVE_OTHER,
        "275/340 = 80,88 % is printed truncated as 80 (every other row rounds)",
    ),
    Discrepancy(
        "9", "физика", CONFIRMED_RAISED, "26,32", OVER_PARTICIPANTS,
        "20/77 = 25,97 %, but only 20 + 56 = 76 of 77 pupils compared: 20/76 = 26,32 %",
    ),
    Discrepancy(
        "9", "физика", LOWERED, "73,68", OVER_PARTICIPANTS,
        "56/77 = 72,73 %, but only 76 of 77 pupils compared: 56/76 = 73,68 %",
    ),
    Discrepancy(
        "9", "биология", CONFIRMED_RAISED, "86,36", OVER_PARTICIPANTS,
        "57/69 = 82,61 %, but only 57 + 9 = 66 of 69 compared: 57/66 = 86,36 %",
    ),
    Discrepancy(
        "9", "биология", LOWERED, "13,64", OVER_PARTICIPANTS,
        "9/69 = 13,04 %, but only 66 of 69 compared: 9/66 = 13,64 %",
    ),
    Discrepancy(
        "9", "история", CONFIRMED_RAISED, "75,51", OVER_PARTICIPANTS,
        "37/53 = 69,81 %, but only 37 + 12 = 49 of 53 compared: 37/49 = 75,51 %",
    ),
    Discrepancy(
        "9", "история", LOWERED, "24,49", OVER_PARTICIPANTS,
        "12/53 = 22,64 %, but only 49 of 53 compared: 12/49 = 24,49 %",
    ),
    Discrepancy(
        "9", "обществознание", FAILED, "28,89", NO_WHOLE_COUNT,
        "the text above the table says 13 of the 45 failed: 13/45 = 28,89 % (14/45 = 31,11 %)",
    ),
    Discrepancy(
        "11", "география", PARTICIPATION, "9", COUNTS_GIVE_OTHER,
        "8/92 = 8,70 % → 9; the printed 7 is no rounding of 8/92",
    ),
)  # fmt: skip

# Rows whose compared pupils (lowered + confirmed + raised) are fewer than the
# participants, and by how many: shown by the shares summing below 100 %, or
# (grade 11, whole pupils) by 45 + 25 = 70 of 74.
SEED_003_UNCOMPARED: Final = {
    ("9", "физика"): 1,
    ("9", "биология"): 3,
    ("9", "история"): 4,
    ("11", "английский язык"): 4,
}


def reconstruct(row: VprRow) -> Counts:
    """The whole-pupil counts a row of seed 003 was computed from.

    Only «2» is known of the marks (the rest are put as «3»: no printed figure
    depends on them).  The document does not split «подтвердили и улучшили» into
    confirmed and raised: a quarter goes to raised, and the test checks the sum
    of the two shares, which does not depend on the split.
    """
    participants = int(row.participants)
    n2 = whole(row.failed, participants)
    if row.grade in COUNTS_PRINTED_GRADES:
        confirmed_raised, lowered = int(row.confirmed_raised), int(row.lowered)
    else:
        confirmed_raised = whole(row.confirmed_raised, participants)
        lowered = whole(row.lowered, participants)
    raised = confirmed_raised // 4
    return Counts(
        due=int(row.due) if row.due else None,
        participants=participants,
        n2=n2,
        n3=participants - n2,
        n4=0,
        n5=0,
        lowered=lowered,
        confirmed=confirmed_raised - raised,
        raised=raised,
    )


def _sum_shares(confirmed: float | None, raised: float | None) -> float | None:
    """«Подтвердили и улучшили»: the confirmed share plus the raised one."""
    return None if confirmed is None or raised is None else confirmed + raised


def formula_figures(
    row: VprRow, counts: Counts
) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """The printed figures of a row beside the formula's, both at the printed precision."""
    confirmed, raised = metrics.vpr_confirmed(counts), metrics.vpr_raised(counts)
    figures = {
        PARTICIPATION: (cell(row.participation), printed(metrics.participation(counts), 0)),
        FAILED: (cell(row.failed), printed(metrics.failed(counts), 2)),
    }
    if row.grade not in COUNTS_PRINTED_GRADES:
        figures[CONFIRMED_RAISED] = (
            cell(row.confirmed_raised),
            printed(_sum_shares(confirmed, raised), 2),
        )
        figures[LOWERED] = (cell(row.lowered), printed(metrics.vpr_lowered(counts), 2))
    return figures


def test_seed_003_table_is_whole() -> None:
    # 38 rows: grades 5–9 with their subjects, then grades 11 and 10 (whole pupils).
    assert len(VPR_ROWS) == 38
    assert len({row.key for row in VPR_ROWS}) == 38
    assert [row.grade for row in VPR_ROWS].count("9") == 8
    # The languages have no pupils due: the participation cell is empty, and so is the metric.
    for row in VPR_ROWS:
        assert (row.due == "") == (row.participation == "")


def test_seed_003_formulas_reproduce_every_printed_figure_but_the_known_discrepancies() -> None:
    differing: dict[tuple[str, str, str], Decimal | None] = {}
    checked = 0
    for row in VPR_ROWS:
        for column, (shown, computed) in formula_figures(row, reconstruct(row)).items():
            checked += 1
            if shown != computed:
                differing[(row.grade, row.subject, column)] = computed
    # 38 participation and failed cells, and the two ВПР shares of the 30 rows of grades 5–9.
    assert checked == 38 * 2 + 30 * 2
    assert differing == {
        (d.grade, d.subject, d.column): cell(d.formula) for d in SEED_003_DISCREPANCIES
    }


@pytest.mark.parametrize(
    "discrepancy", SEED_003_DISCREPANCIES, ids=lambda d: f"{d.grade}-{d.subject}-{d.column}"
)
def test_seed_003_discrepancy_is_in_the_document_not_in_the_formula(
    discrepancy: Discrepancy,
) -> None:
    row = next(r for r in VPR_ROWS if r.key == (discrepancy.grade, discrepancy.subject))
    shown = cell(getattr(row, discrepancy.column))
    participants = int(row.participants)
    counts = reconstruct(row)
    if discrepancy.kind == NO_WHOLE_COUNT:
        # Not a rounding of the formula: no number of pupils at all gives the printed share.
        assert all(printed(k / participants * 100, 2) != shown for k in range(participants + 1))
    elif discrepancy.kind == OVER_PARTICIPANTS:
        # The printed share is a whole count over the participants, not over the compared pupils.
        count = whole(getattr(row, discrepancy.column), participants)
        assert printed(count / participants * 100, 2) == shown
        assert counts.compared is not None and counts.compared < participants
    else:
        assert discrepancy.kind == COUNTS_GIVE_OTHER
        assert discrepancy.column == PARTICIPATION
        computed = metrics.participation(counts)
        assert printed(computed, 0) == cell(discrepancy.formula) != shown
    if (row.grade, row.subject) == ("8", "математика"):
        # 80 is 80,88 truncated: the same document rounds everywhere else.
        assert printed(metrics.participation(counts), 0, ROUND_FLOOR) == shown
    if (row.grade, row.subject) == ("5", "математика"):
        # 79,81 is 261/327 = 79,8165 truncated, too.
        both = _sum_shares(metrics.vpr_confirmed(counts), metrics.vpr_raised(counts))
        assert printed(both, 2, ROUND_FLOOR) == shown


def test_seed_003_compared_pupils_fall_short_of_participants_only_in_the_known_rows() -> None:
    short = {}
    for row in VPR_ROWS:
        counts = reconstruct(row)
        assert counts.compared is not None and counts.participants is not None
        if counts.compared != counts.participants:
            short[row.key] = counts.participants - counts.compared
    assert short == SEED_003_UNCOMPARED


def test_seed_003_text_and_table_agree_on_the_grade_9_failures() -> None:
    # «по русскому языку из 64 человек, писавших работу, не справились с нею 20 выпускников»
    russian = next(r for r in VPR_ROWS if r.key == ("9", "русский язык"))
    assert printed(metrics.failed(Counts(participants=64, n2=20, n3=44)), 2) == cell(russian.failed)
    # «По обществознанию из 45 выполнявших тестовые задания не справились 13 человек»: 28,89,
    # while the table prints 29,44 (a known discrepancy above).
    assert printed(metrics.failed(Counts(participants=45, n2=13, n3=32)), 2) == Decimal("28.89")


def test_seed_003_grade_11_english_shares_are_of_the_compared_pupils() -> None:
    # 45 confirmed/raised and 25 lowered of 74 participants: the shares are of the 70 compared.
    counts = reconstruct(next(r for r in VPR_ROWS if r.key == ("11", "английский язык")))
    assert printed(metrics.vpr_lowered(counts), 2) == Decimal("35.71")
    assert metrics.participation(counts) is None


# --- seed 000: the grade-distribution table ----------------------------------------------------

# Seed 000 (/work/shared/seeds/000_dc8bbf500090d33b.txt, lines 117–121), its header flattened.
SEED_000_HEADER: Final = (
    "Количество учащихся",
    "Успевают: всего",
    "из них на «5»",
    "на «4», «5»: всего",
    "на «4», «5»: с одной «4»",
    "с одной «3»",
    "Не аттестовано: всего",
    "по уважительным причинам",
    "по прогулам",
    "Не успевают по предметам: всего",
    "по одному",
    "по двум",
    "более 2",
    "% успеваемости",
    "% качества",
    "СОУ",
)
SEED_000_ROW: Final = (
    "14022", "10195", "572", "3505", "240", "832", "15", "3", "12",
    "111", "37", "37", "37", "98,8", "40,0", "48,8",
)  # fmt: skip
SEED_000: Final = dict(zip(SEED_000_HEADER, SEED_000_ROW, strict=True))


def seed_000_counts(*, not_attested_as_two: bool = True) -> Counts:
    """The marks the seed 000 table implies.

    * 14022 includes the pupils who get no marks (1st grade): 14022 − 10195
      succeeding − 111 failing − 15 not attested = 3701 of them.  The pupils
      with marks are N = 10195 + 111 + 15 = 10321.
    * n5 = 572 (на «5»), n4 = 3505 (на «4», «5»), n3 = 10195 − 572 − 3505 = 6118:
      the table has no «3» column (only «с одной "3"», 832, a part of them).
    * n2 = 111 failing; the 15 not attested count as not succeeding, as the
      schools count them (``not_attested_as_two``), or carry no mark.
    """
    passing = int(SEED_000["Успевают: всего"])
    n5 = int(SEED_000["из них на «5»"])
    n4 = int(SEED_000["на «4», «5»: всего"])
    failing = int(SEED_000["Не успевают по предметам: всего"])
    not_attested = int(SEED_000["Не аттестовано: всего"])
    return Counts(
        participants=passing + failing + not_attested,
        n2=failing + (not_attested if not_attested_as_two else 0),
        n3=passing - n5 - n4,
        n4=n4,
        n5=n5,
    )


def test_seed_000_table_adds_up() -> None:
    def count(name: str) -> int:
        return int(SEED_000[name])

    assert count("по уважительным причинам") + count("по прогулам") == count(
        "Не аттестовано: всего"
    )
    assert count("по одному") + count("по двум") + count("более 2") == count(
        "Не успевают по предметам: всего"
    )
    counts = seed_000_counts()
    assert counts.n3 == 6118
    assert count("с одной «3»") <= counts.n3
    assert count("на «4», «5»: с одной «4»") <= count("на «4», «5»: всего")
    assert counts.participants == 10321
    assert count("Количество учащихся") - counts.participants == 3701


@pytest.mark.parametrize("not_attested_as_two", [True, False])
def test_seed_000_success_and_sou_match_the_print(not_attested_as_two: bool) -> None:
    counts = seed_000_counts(not_attested_as_two=not_attested_as_two)
    # 10195 / 10321 = 98,78 %
    assert printed(metrics.success(counts), 1) == cell(SEED_000["% успеваемости"])
    # (572 + 0,64·3505 + 0,36·6118 + 0,16·126) / 10321 = 48,81 % (48,79 % with n2 = 111)
    assert printed(metrics.sou(counts), 1) == cell(SEED_000["СОУ"])
    expected = 48.81 if not_attested_as_two else 48.79
    assert printed(metrics.sou(counts), 2) == Decimal(repr(expected))


def test_seed_000_quality_is_printed_over_the_succeeding_pupils_only() -> None:
    counts = seed_000_counts()
    shown = cell(SEED_000["% качества"])
    # DESIGN: (n4 + n5) / N = 4077 / 10321 = 39,50 %; the document prints 40,0.
    formula = metrics.quality(counts)
    assert printed(formula, 1) == Decimal("39.5")
    assert shown == Decimal("40.0")
    assert shown - Decimal("39.5") == Decimal("0.5")  # the document is 0,5 п.п. higher
    # The printed 40,0 is 4077 over the 10195 succeeding pupils (39,99 %), a denominator
    # unlike that of its own success (98,8 % = 10195 / 10321) and СОУ.
    assert counts.n4 is not None and counts.n5 is not None
    passing = int(SEED_000["Успевают: всего"])
    assert printed((counts.n4 + counts.n5) / passing * 100, 1) == shown
    # And the total 14022 is not N: it would print success 72,7.
    everyone = Counts(
        participants=int(SEED_000["Количество учащихся"]), n3=counts.n3, n4=counts.n4, n5=counts.n5
    )
    assert printed(metrics.success(everyone), 1) == Decimal("72.7")


def test_seed_000_dynamics_of_quality_and_success() -> None:
    # «качественная - 40,0 %, что на 0,37 % ниже результатов прошлого учебного года (40,37%)»:
    # a change of −0,37 п.п. (the document writes «%»), and worse for a higher-is-better metric.
    quality = change(40.37, 40.0)
    assert printed(quality, 2) == Decimal("-0.37")
    assert METRIC_BY_KEY["quality"].better(quality) is False
    # «Общая успеваемость … 98,8 % (… - 99,9 %)»: −1,1 п.п.
    success = change(99.9, 98.8)
    assert printed(success, 1) == Decimal("-1.1")
    assert METRIC_BY_KEY["success"].better(success) is False
    assert printed(change(98.8, 99.9), 1) == Decimal("1.1")


# --- pooling and "no data" ---------------------------------------------------------------------


def test_district_value_is_pooled_from_counts_not_a_mean_of_school_percentages() -> None:
    small = Counts(due=5, participants=5, n5=5)  # 100 % quality
    large = Counts(due=100, participants=95, n3=76, n4=19)  # 20 % quality
    assert metrics.quality(small) == 100.0
    assert metrics.quality(large) == 20.0
    district = pool([small, large])
    assert district.participants == 100
    assert district.rows == 2
    # 24 of 100 pupils; the mean of the two percentages would be 60 %.
    assert metrics.quality(district) == pytest.approx(24.0)
    assert metrics.participation(district) == pytest.approx(100 / 105 * 100)
    assert metrics.mean_mark(district) == pytest.approx((5 * 5 + 19 * 4 + 76 * 3) / 100)


def test_pooled_mean_score_is_weighted_by_participants() -> None:
    rows = [
        Counts.of_row({"participants": 10, "mean_score": 20.0, "n3": 10}),
        Counts.of_row({"participants": 30, "mean_score": 60.0, "n3": 30}),
    ]
    assert metrics.mean_score(pool(rows)) == pytest.approx(50.0)  # not (20 + 60) / 2 = 40


def test_of_row_reads_the_assessment_columns() -> None:
    counts = Counts.of_row(
        {
            "pupils_due": 30, "participants": 25, "n2": 1, "n3": 9, "n4": 10, "n5": 5,
            "below_minimum": 2, "vpr_lowered": 4, "vpr_confirmed": 19, "vpr_raised": 2,
            "mean_score": 3.5,
        }
    )  # fmt: skip
    assert counts == Counts(30, 25, 1, 9, 10, 5, 2, 4, 19, 2, 87.5)
    assert Counts.of_row({"participants": 25, "mean_score": None}).score_sum is None


def test_pool_of_nothing_has_no_data() -> None:
    empty = pool([])
    assert empty.rows == 0
    assert empty.participants == 0
    assert all(value is None for value in metrics.all_metrics(empty).values())


def test_pooling_an_empty_group_changes_nothing() -> None:
    # A school with no results in a year pools to pool([]); the district over its
    # schools must still know the pupils due and the ВПР comparison of the others.
    school = Counts(
        due=20, participants=18, n2=1, n3=5, n4=8, n5=4, lowered=2, confirmed=14, raised=2
    )
    district = pool([pool([school]), pool([])])
    assert district == school
    assert metrics.participation(district) == pytest.approx(90.0)
    assert metrics.vpr_lowered(district) == pytest.approx(2 / 18 * 100)
    assert pool([pool([]), pool([])]) == pool([])


def test_a_count_missing_in_one_row_is_missing_in_the_pool() -> None:
    reported = Counts(
        due=12, participants=10, n3=6, n4=4, lowered=1, confirmed=8, raised=1, score_sum=40.0
    )
    partial = Counts(due=None, participants=5, n4=5, lowered=None, confirmed=3, raised=0)
    district = pool([reported, partial])
    assert district.due is None
    assert district.lowered is None
    assert district.compared is None
    assert district.score_sum is None
    for key in ("participation", "vpr_lowered", "vpr_confirmed", "vpr_raised", "mean_score"):
        assert metrics.compute(key, district) is None, key
    # The counts every row has still give their metrics.
    assert metrics.quality(district) == pytest.approx(9 / 15 * 100)
    # A missing mark count blanks the metrics that need it, and only those.
    no_twos = Counts(participants=10, n2=None, n3=6, n4=4)
    no_threes = Counts(participants=10, n2=0, n3=None, n4=4)
    for key in ("failed", "mean_mark", "sou"):
        assert metrics.compute(key, no_twos) is None, key
    assert metrics.success(no_twos) == 100.0
    for key in ("success", "mean_mark", "sou"):
        assert metrics.compute(key, no_threes) is None, key
    assert (metrics.quality(no_threes), metrics.failed(no_threes)) == (40.0, 0.0)


def test_zero_denominators_give_no_data_for_every_metric() -> None:
    zero = Counts(
        due=0, participants=0, n2=0, n3=0, n4=0, n5=0, below_minimum=0,
        lowered=0, confirmed=0, raised=0, score_sum=0.0,
    )  # fmt: skip
    assert {m.key: m.compute(zero) for m in METRICS} == {m.key: None for m in METRICS}
    assert metrics.all_metrics(Counts()) == {m.key: None for m in METRICS}
    # due = 0 alone: participation has no data, the rest still computes.
    assert metrics.participation(Counts(due=0, participants=3, n3=3)) is None
    assert metrics.success(Counts(due=0, participants=3, n3=3)) == 100.0
    # compared = 0 alone: no ВПР share.
    vpr = Counts(participants=3, n3=3, lowered=0, confirmed=0, raised=0)
    assert (metrics.vpr_lowered(vpr), metrics.vpr_confirmed(vpr), metrics.vpr_raised(vpr)) == (
        None,
        None,
        None,
    )


def test_change_without_either_year_is_none() -> None:
    assert change(None, 40.0) is None
    assert change(40.0, None) is None
    assert change(None, None) is None
    assert change(40.0, 40.0) == 0.0


def test_better_follows_the_direction_of_the_metric() -> None:
    quality, failed = METRIC_BY_KEY["quality"], METRIC_BY_KEY["failed"]
    assert quality.higher_is_better and not failed.higher_is_better
    assert quality.better(1.5) is True
    assert quality.better(-1.5) is False
    assert failed.better(1.5) is False
    assert failed.better(-1.5) is True
    for metric in (quality, failed):
        assert metric.better(0.0) is None
        assert metric.better(None) is None
    lower_is_better = {m.key for m in METRICS if not m.higher_is_better}
    assert lower_is_better == {"failed", "below_minimum", "vpr_lowered", "vpr_raised"}


def test_every_metric_is_registered_once_and_computed_by_key() -> None:
    assert len(METRIC_BY_KEY) == len(METRICS)
    counts = Counts(
        due=30, participants=25, n2=1, n3=9, n4=10, n5=5, lowered=4, confirmed=19, raised=2
    )
    assert metrics.all_metrics(counts) == {m.key: metrics.compute(m.key, counts) for m in METRICS}
    assert metrics.compute("quality", counts) == pytest.approx(60.0)
    assert {m.unit for m in METRICS if m.key in ("mean_mark", "mean_score")} == {""}


# --- properties --------------------------------------------------------------------------------

COUNT = st.integers(min_value=0, max_value=5_000)
MAYBE_COUNT = st.none() | COUNT
# Whole-number score sums keep float addition exact, so pooling order cannot matter.
MAYBE_SCORE_SUM = st.none() | st.integers(min_value=0, max_value=500_000).map(float)


@st.composite
def marks(draw: st.DrawFn, *, extra: bool = False) -> Counts:
    """Counts whose marks sum to the participants (or fall short of them when ``extra``)."""
    n2, n3, n4, n5 = (draw(COUNT) for _ in range(4))
    more = draw(COUNT) if extra else 0
    return Counts(participants=n2 + n3 + n4 + n5 + more, n2=n2, n3=n3, n4=n4, n5=n5)


ANY_COUNTS = st.builds(
    Counts,
    due=MAYBE_COUNT,
    participants=MAYBE_COUNT,
    n2=MAYBE_COUNT,
    n3=MAYBE_COUNT,
    n4=MAYBE_COUNT,
    n5=MAYBE_COUNT,
    below_minimum=MAYBE_COUNT,
    lowered=MAYBE_COUNT,
    confirmed=MAYBE_COUNT,
    raised=MAYBE_COUNT,
    score_sum=MAYBE_SCORE_SUM,
)


@settings(max_examples=200, deadline=None)
@given(marks(extra=True))
def test_shares_of_the_participants_stay_within_0_and_100(counts: Counts) -> None:
    for share in (metrics.success(counts), metrics.quality(counts), metrics.failed(counts)):
        if counts.participants == 0:
            assert share is None
        else:
            assert share is not None and 0.0 <= share <= 100.0
    if counts.participants:
        quality, success = metrics.quality(counts), metrics.success(counts)
        assert quality is not None and success is not None and quality <= success


@settings(max_examples=200, deadline=None)
@given(marks())
def test_success_is_100_minus_failed_and_sou_within_its_bounds(counts: Counts) -> None:
    success, failed = metrics.success(counts), metrics.failed(counts)
    sou, mean = metrics.sou(counts), metrics.mean_mark(counts)
    if counts.participants == 0:
        assert (success, failed, sou, mean) == (None, None, None, None)
        return
    assert success is not None and failed is not None and sou is not None and mean is not None
    assert math.isclose(success, 100.0 - failed, abs_tol=1e-9)
    # СОУ lies between a class of «2» only (16 %) and a class of «5» only (100 %).
    assert 16.0 - 1e-9 <= sou <= 100.0 + 1e-9
    assert 2.0 - 1e-12 <= mean <= 5.0 + 1e-12


def test_sou_bounds_are_reached_by_all_twos_and_all_fives() -> None:
    assert metrics.sou(Counts(participants=7, n2=7)) == pytest.approx(16.0)
    assert metrics.sou(Counts(participants=7, n5=7)) == pytest.approx(100.0)
    assert metrics.mean_mark(Counts(participants=7, n2=7)) == 2.0


@settings(max_examples=200, deadline=None)
@given(ANY_COUNTS, ANY_COUNTS, ANY_COUNTS)
def test_pool_is_associative_and_commutative(a: Counts, b: Counts, c: Counts) -> None:
    flat = pool([a, b, c])
    assert flat.rows == 3
    assert pool([pool([a, b]), c]) == flat
    assert pool([a, pool([b, c])]) == flat
    assert pool([c, b, a]) == flat
    assert pool([b, pool([c]), a]) == flat


@settings(max_examples=100, deadline=None)
@given(st.lists(ANY_COUNTS, max_size=5), st.data())
def test_pool_of_groups_is_the_pool_of_their_rows(rows: list[Counts], data: st.DataObject) -> None:
    # Any split into groups, empty groups included, pools to the same counts.
    cut = data.draw(st.integers(min_value=0, max_value=len(rows)))
    assert pool([pool(rows[:cut]), pool(rows[cut:])]) == pool(rows)


# --- the SQL function against the Python one --------------------------------------------------


@pytest.fixture(scope="module")
def assessment_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """A real database (schema and ``metric()`` from open_database) with one school."""
    conn = open_database(Path(tmp_path_factory.mktemp("metrics")) / "metrics.sqlite")
    conn.execute(
        "INSERT INTO school(code, full_name, short_name) VALUES ('1', 'Школа № 1', 'Школа 1')"
    )
    yield conn
    conn.close()


SQL_ROW = st.fixed_dictionaries(
    {
        "pupils_due": MAYBE_COUNT,
        "participants": COUNT,
        "n2": COUNT,
        "n3": COUNT,
        "n4": COUNT,
        "n5": COUNT,
        "mean_score": st.none()
        | st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False),
        "below_minimum": MAYBE_COUNT,
        "vpr_lowered": MAYBE_COUNT,
        "vpr_confirmed": MAYBE_COUNT,
        "vpr_raised": MAYBE_COUNT,
    }
)


def _insert(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    conn.execute("DELETE FROM assessment")
    school_id = conn.execute("SELECT id FROM school").fetchone()[0]
    for grade, row in enumerate(rows, start=1):
        names = ", ".join(row)
        marks_ = ", ".join("?" for _ in row)
        conn.execute(
            f"INSERT INTO assessment (school_id, year, procedure, subject, grade, {names}) "
            f"VALUES (?, 2020, 'ВПР', 'математика', ?, {marks_})",
            (school_id, grade, *row.values()),
        )


@settings(max_examples=100, deadline=None)
@given(st.lists(SQL_ROW, min_size=1, max_size=4))
def test_sql_metric_agrees_with_python(
    assessment_db: sqlite3.Connection, rows: list[dict[str, Any]]
) -> None:
    _insert(assessment_db, rows)
    for metric in METRICS:
        stored = assessment_db.execute(
            f"SELECT *, metric(?, {COUNT_COLUMNS}) AS value FROM assessment ORDER BY grade",
            (metric.key,),
        ).fetchall()
        assert len(stored) == len(rows)
        for row in stored:
            expected = metric.compute(Counts.of_row(dict(row)))
            assert row["value"] == expected, metric.key
    ordered = assessment_db.execute(
        f"SELECT grade FROM assessment WHERE metric('quality', {COUNT_COLUMNS}) IS NOT NULL "
        f"ORDER BY metric('quality', {COUNT_COLUMNS}), grade"
    ).fetchall()
    by_python = sorted(
        (quality, grade)
        for grade, row in enumerate(rows, start=1)
        if (quality := metrics.quality(Counts.of_row(row))) is not None
    )
    assert [r["grade"] for r in ordered] == [grade for _, grade in by_python]


def test_sql_metric_of_an_unknown_key_is_null(assessment_db: sqlite3.Connection) -> None:
    _insert(assessment_db, [{"participants": 10, "n4": 10}])
    value, quality = assessment_db.execute(
        f"SELECT metric('no such metric', {COUNT_COLUMNS}), metric('quality', {COUNT_COLUMNS}) "
        "FROM assessment"
    ).fetchone()
    assert value is None
    assert quality == 100.0
