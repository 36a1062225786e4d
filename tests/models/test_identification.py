"""Identification of the groups: the rules as data, the facts they find, the decisions written.

A hand-built district with known counts (ОГЭ по математике of school A is
2 of 11 with «4»/«5» in 2021 = 18,18 %, the district pools 41 of 100 = 41,0 %)
checks the exact figures of each fact; the rules are the tests' own, so a
change of the defaults does not move these expectations.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shnor_desktop.models.changelog import ChangeSet
from shnor_desktop.models.database import Database
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.identification import (
    DEFAULT_RULES,
    RULES_SETTING,
    Block,
    Condition,
    Rule,
    RuleSet,
    condition_from_json,
    load_rules,
    result_years,
    rules_from_json,
    rules_to_json,
    suggest,
)
from shnor_desktop.models.schools import GroupDecision
from tests.models.test_write_path import data_dump

YEAR = 2022  # the groups of 2022/23 are decided from the results of 2021/22 and 2020/21
MATH = "математика"


def _result(
    cs: ChangeSet,
    school: int,
    year: int,
    marks: tuple[int, int, int, int],
    *,
    procedure: str = "ОГЭ",
    subject: str = MATH,
    grade: int = 9,
    **extra: Any,
) -> None:
    n2, n3, n4, n5 = marks
    cs.insert(
        "assessment",
        {
            "school_id": school,
            "year": year,
            "procedure": procedure,
            "subject": subject,
            "grade": grade,
            "participants": n2 + n3 + n4 + n5,
            "n2": n2,
            "n3": n3,
            "n4": n4,
            "n5": n5,
            **extra,
        },
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """Four schools: A weak two years, B strong, C weak in 2021 only, D without 2020 results."""
    opened = Database.open(tmp_path / "i.sqlite")
    ids: dict[str, int] = {}
    with opened.log.change_set("Начальные данные", "demo") as cs:
        for code, name, distance in (
            ("A", "СОШ с. Альфа", 48.0),
            ("B", "Гимназия", 0.0),
            ("C", "ООШ с. Вэ", 12.0),
            ("D", "ООШ с. Дэ", None),
        ):
            ids[code] = cs.insert(
                "school",
                {
                    "code": code,
                    "full_name": f"МОУ «{name}»",
                    "short_name": name,
                    "distance_km": distance,
                },
            )
        cs.insert(
            "school_profile",
            {
                "school_id": ids["A"],
                "year": YEAR,
                "sek_index": 23.0,
                "pct_low_income": 41.0,
                "pupils_total": 86,
                "group_code": "risk",
                "group_reason": "Прежнее основание",
            },
        )
        cs.insert("school_profile", {"school_id": ids["B"], "year": YEAR, "sek_index": 32.0})
        cs.insert("school_profile", {"school_id": ids["C"], "year": YEAR})
        # 2021/22: A 2 of 11 (18,18 %), B 39 of 89; the district 41 of 100 = 41,0 %.
        _result(cs, ids["A"], 2021, (1, 8, 2, 0))
        _result(cs, ids["B"], 2021, (0, 50, 30, 9))
        # 2020/21: A 2 of 10 (20,0 %), B 38 of 90; the district 40 of 100 = 40,0 %.
        _result(cs, ids["A"], 2020, (0, 8, 2, 0))
        _result(cs, ids["B"], 2020, (0, 52, 30, 8))
        # C: weak in 2021 only (1 of 10 = 10 %), fine in 2020 (6 of 10 = 60 %) — but C
        # moves the district: see the figures in the tests.
        _result(cs, ids["C"], 2021, (0, 9, 1, 0))
        _result(cs, ids["C"], 2020, (0, 4, 6, 0))
        # D: 2021 only (0 of 6).
        _result(cs, ids["D"], 2021, (2, 4, 0, 0))
    opened.undo.clear()
    opened.ids = ids  # type: ignore[attr-defined]
    try:
        yield opened
    finally:
        opened.close()


def _ids(db: Database) -> dict[str, int]:
    return db.ids  # type: ignore[attr-defined, no-any-return]


def _math(threshold: float = -15.0, years: int = 2, **kw: Any) -> Condition:
    return Condition(
        "quality",
        threshold,
        "<=",
        "district_diff",
        procedure="ОГЭ",
        subject=MATH,
        years=years,
        **kw,
    )


def _rules(*rules: Rule, offset: int = 1) -> RuleSet:
    return RuleSet(tuple(rules), offset)


def _by_code(db: Database, rules: RuleSet) -> dict[str, Any]:
    return {s.code: s for s in suggest(db, YEAR, rules)}


# --- the facts -----------------------------------------------------------------------------
def test_a_fact_carries_the_exact_figures_of_both_years(db: Database) -> None:
    rules = _rules(Rule("shnor", 1, "Низкие результаты", (Block((_math(),)),)))
    found = _by_code(db, rules)
    a = found["A"]
    assert a.group == "shnor" and a.rule_index == 0 and a.current_group == "risk"
    (fact,) = a.facts
    # 2021: A 2/11; the district pools A, B, C, D: (2 + 39 + 1 + 0) / (11 + 89 + 10 + 6).
    assert fact.value == pytest.approx(2 / 11 * 100)
    assert fact.district == pytest.approx(42 / 116 * 100)
    pooled = db.results.district_counts(2021, "ОГЭ", MATH)  # the district the screens show
    assert (pooled.participants, pooled.n4, pooled.n5) == (116, 33, 9)
    assert fact.difference == pytest.approx(2 / 11 * 100 - 42 / 116 * 100)
    assert fact.years == (2020, 2021)
    first = fact.per_year[0]
    assert first.year == 2020
    assert first.value == pytest.approx(20.0)
    assert first.district == pytest.approx(46 / 110 * 100)
    assert (fact.procedure, fact.subject, fact.grade) == ("ОГЭ", MATH, None)
    assert found["B"].group == "none" and found["B"].facts == ()


def test_two_years_in_a_row_only_when_both_years_hold(db: Database) -> None:
    found = _by_code(db, _rules(Rule("shnor", 1, "", (Block((_math(),)),))))
    # C: 10 % against 36,2 % in 2021 (−26,2), 60 % against 41,8 % in 2020: one year only.
    assert found["C"].group == "none"
    one_year = _by_code(db, _rules(Rule("shnor", 1, "", (Block((_math(years=1),)),))))
    assert one_year["C"].group == "shnor"
    assert one_year["C"].facts[0].years == (2021,)


def test_missing_data_gives_no_fact(db: Database) -> None:
    # D has no 2020 result: two years cannot be said to hold.
    assert _by_code(db, _rules(Rule("shnor", 1, "", (Block((_math(),)),))))["D"].group == "none"
    # Without a passport figure (C has no СЭК, D no passport, D no distance) nothing holds.
    passport = _rules(
        Rule("risk", 1, "", (Block((Condition("sek_index", 30.0, "<="),)),)),
        Rule("prevention", 2, "", (Block((Condition("distance_km", 0.0, ">="),)),)),
    )
    found = _by_code(db, passport)
    assert found["A"].group == "risk"
    assert found["C"].group == "prevention"  # 12 km, no СЭК
    assert found["D"].group == "none"
    assert not found["D"].has_profile


def test_too_few_participants_give_no_fact(db: Database) -> None:
    few = _rules(Rule("shnor", 1, "", (Block((_math(years=1, min_participants=11),)),)))
    found = _by_code(db, few)
    assert found["A"].group == "shnor"  # 11 participants: enough
    assert found["C"].group == "none"  # 10: too few


def test_passport_facts_and_priority(db: Database) -> None:
    rules = _rules(
        Rule(
            "prevention",
            20,
            "Удалённая",
            (Block((Condition("distance_km", 40.0, ">="), Condition("pupils_total", 100.0))),),
        ),
        Rule("risk", 10, "Социальные условия", (Block((Condition("sek_index", 30.0),)),)),
    )
    a = _by_code(db, rules)["A"]
    assert a.group == "risk" and a.rule_index == 1
    assert a.also == ("prevention",)
    (fact,) = a.facts
    assert (fact.measure, fact.value, fact.threshold, fact.compare) == (
        "sek_index",
        23.0,
        30.0,
        "absolute",
    )
    b = _by_code(db, rules)["B"]
    assert b.group == "none"  # СЭК 32 above the threshold, in the district centre


def test_at_least_k_of_a_block_and_all_blocks(db: Database) -> None:
    low_income = Condition("pct_low_income", 40.0, ">=")
    far = Condition("distance_km", 40.0, ">=")
    sek = Condition("sek_index", 10.0)  # A: 23 — does not hold
    two_of_three = _rules(Rule("risk", 1, "", (Block((low_income, far, sek), at_least=2),)))
    a = _by_code(db, two_of_three)["A"]
    assert a.group == "risk"
    assert [f.measure for f in a.facts] == ["pct_low_income", "distance_km"]
    all_three = _rules(Rule("risk", 1, "", (Block((low_income, far, sek)),)))
    assert _by_code(db, all_three)["A"].group == "none"
    # Two blocks: results AND context.
    both = _rules(Rule("shnor", 1, "", (Block((_math(),)), Block((far,)))))
    found = _by_code(db, both)
    assert found["A"].group == "shnor"
    assert [f.measure for f in found["A"].facts] == ["quality", "distance_km"]


def test_ratio_change_and_absolute_compares(db: Database) -> None:
    ratio = Condition(
        "quality", 0.6, "<=", "district_ratio", procedure="ОГЭ", subject=MATH, years=1
    )
    a = _by_code(db, _rules(Rule("shnor", 1, "", (Block((ratio,)),))))["A"]
    assert a.facts[0].difference == pytest.approx((2 / 11) / (42 / 116))
    change = Condition("quality", -40.0, "<=", "change", procedure="ОГЭ", subject=MATH)
    c = _by_code(db, _rules(Rule("risk", 1, "", (Block((change,)),))))["C"]
    assert c.group == "risk"
    (fact,) = c.facts
    assert fact.difference == pytest.approx(-50.0)
    assert fact.per_year[0].previous == pytest.approx(60.0)
    failed = Condition("failed", 30.0, ">=", procedure="ОГЭ")
    d = _by_code(db, _rules(Rule("shnor", 1, "", (Block((failed,)),))))["D"]
    assert d.facts[0].value == pytest.approx(2 / 6 * 100) and d.facts[0].district is None


def test_results_offset_zero_reads_the_year_itself(db: Database) -> None:
    rules = _rules(Rule("shnor", 1, "", (Block((_math(years=1),)),)), offset=0)
    found = {s.code: s for s in suggest(db, 2021, rules)}
    assert found["A"].facts[0].years == (2021,)
    assert result_years(rules, 2021) == (2021,)
    assert result_years(DEFAULT_RULES, 2022) == (2020, 2021)


def test_suggestions_are_deterministic_and_branches_follow_their_school(db: Database) -> None:
    ids = _ids(db)
    with db.log.change_set("Филиал") as cs:
        cs.insert(
            "school",
            {"code": "A-1", "full_name": "Филиал", "short_name": "Филиал", "parent_id": ids["A"]},
        )
    first = suggest(db, YEAR, DEFAULT_RULES)
    assert first == suggest(db, YEAR, DEFAULT_RULES)
    codes = [s.code for s in first]
    assert codes.index("A-1") == codes.index("A") + 1


# --- the rules as data --------------------------------------------------------------------------
def test_default_rules_round_trip_through_json_and_the_setting(db: Database) -> None:
    text = json.dumps(rules_to_json(DEFAULT_RULES), ensure_ascii=False)
    assert rules_from_json(json.loads(text)) == DEFAULT_RULES
    assert load_rules(db.settings) == DEFAULT_RULES
    assert db.settings.is_default(RULES_SETTING)
    changed = replace(DEFAULT_RULES, results_offset=0)
    info = db.settings.set(RULES_SETTING, rules_to_json(changed), "Правила")
    assert info is not None and info.touches("setting")
    assert load_rules(db.settings) == changed
    stored = db.reader().execute("SELECT value FROM setting").fetchone()[0]
    assert rules_from_json(json.loads(stored)) == changed


def test_rules_edited_in_the_settings_change_the_suggestions(db: Database) -> None:
    rules = _rules(Rule("shnor", 1, "", (Block((_math(),)),)))
    db.settings.set(RULES_SETTING, rules_to_json(rules), "Правила")
    assert {s.code: s.group for s in suggest(db, YEAR)}["A"] == "shnor"
    # A stricter threshold: −18,0 (2021) is not ≤ −25.
    strict = _rules(Rule("shnor", 1, "", (Block((_math(-25.0),)),)))
    db.settings.set(RULES_SETTING, rules_to_json(strict), "Правила")
    assert {s.code: s.group for s in suggest(db, YEAR)}["A"] == "none"
    db.undo.undo()
    assert {s.code: s.group for s in suggest(db, YEAR)}["A"] == "shnor"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"threshold": 120}, "share_range"),
        ({"threshold": -1}, "share_range"),
        ({"threshold": "15"}, "not_number"),
        ({"threshold": float("nan")}, "not_number"),
        ({"measure": "bogus"}, "unknown_measure"),
        ({"procedure": None}, "unknown_procedure"),
        ({"op": "=="}, "bad_op"),
        ({"years": 0}, "out_of_range"),
        ({"years": 1.5}, "not_integer"),
        ({"min_participants": -1}, "out_of_range"),
        ({"colour": "red"}, "rules_unknown_key"),
    ],
)
def test_a_faulty_condition_is_refused_with_its_reason(change: dict[str, Any], code: str) -> None:
    raw = {"measure": "quality", "procedure": "ОГЭ", "threshold": 20, **change}
    with pytest.raises(InvalidValueError) as caught:
        condition_from_json(raw, (1, 0, 2))
    assert caught.value.issue.code == code
    assert caught.value.issue.args[0] == (1, 0, 2)


@pytest.mark.parametrize(
    ("condition", "code"),
    [
        (
            {
                "measure": "quality",
                "procedure": "ВПР",
                "compare": "district_diff",
                "threshold": -120,
            },
            "difference_range",
        ),
        (
            {"measure": "quality", "procedure": "ВПР", "compare": "district_ratio", "threshold": 0},
            "ratio_positive",
        ),
        ({"measure": "distance_km", "threshold": -5}, "negative"),
        ({"measure": "project_500", "threshold": 2, "op": ">="}, "not_flag"),
        ({"measure": "sek_index", "compare": "district_diff", "threshold": 5}, "bad_compare"),
        ({"measure": "sek_index", "procedure": "ОГЭ", "threshold": 5}, "passport_with_results"),
    ],
)
def test_thresholds_are_checked_by_what_they_compare(condition: dict[str, Any], code: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        condition_from_json(condition)
    assert caught.value.issue.code == code


def test_the_setting_refuses_a_faulty_rule_set_on_every_write_path(db: Database) -> None:
    data = rules_to_json(DEFAULT_RULES)
    data["rules"][0]["blocks"][0]["conditions"][0]["threshold"] = 150
    with pytest.raises(InvalidValueError):
        db.settings.set(RULES_SETTING, data, "Правила")
    before = data_dump(db.conn)
    # Past the repository: the setting table's row rule refuses it too.
    with pytest.raises(InvalidValueError), db.log.change_set("Напрямую") as cs:
        cs.insert("setting", {"key": RULES_SETTING.key, "value": json.dumps(data)})
    data["rules"][0]["blocks"][0]["at_least"] = 9
    data["rules"][0]["blocks"][0]["conditions"][0]["threshold"] = -15
    with pytest.raises(InvalidValueError) as caught:
        db.settings.set(RULES_SETTING, data, "Правила")
    assert caught.value.issue.code == "out_of_range"
    assert data_dump(db.conn) == before
    assert load_rules(db.settings) == DEFAULT_RULES


# --- decisions through the write path ------------------------------------------------------------
def test_set_group_writes_group_and_reason_in_one_change_set_and_undo_restores(
    db: Database,
) -> None:
    ids = _ids(db)
    before = data_dump(db.conn)
    info = db.schools.set_group(ids["A"], YEAR, "shnor", "Низкие результаты", "Отнесение")
    assert info is not None and info.row_count == 1
    profile = db.schools.profile(ids["A"], YEAR)
    assert profile is not None
    assert (profile.group_code, profile.group_reason) == ("shnor", "Низкие результаты")
    history = db.schools.profile_history(ids["A"], YEAR, "group_reason")
    assert history[-1].new == "Низкие результаты"
    db.undo.undo()
    assert data_dump(db.conn) == before


def test_set_groups_is_one_change_set_and_creates_missing_passports(db: Database) -> None:
    ids = _ids(db)
    before = data_dump(db.conn)
    info = db.schools.set_groups(
        YEAR,
        [
            GroupDecision(ids["A"], "shnor", "Основание А"),
            GroupDecision(ids["B"], "leader", "Основание Б"),
            GroupDecision(ids["D"], "prevention", "Основание Д"),  # no passport yet
        ],
        "Принять все",
    )
    assert info is not None and info.row_count == 3
    assert len(db.log.recent_sets()) == 2  # the initial data and this one
    d = db.schools.profile(ids["D"], YEAR)
    assert d is not None and (d.group_code, d.group_reason) == ("prevention", "Основание Д")
    assert (
        db.schools.set_groups(YEAR, [GroupDecision(ids["A"], "shnor", "Основание А")], "x") is None
    )
    db.undo.undo()
    assert data_dump(db.conn) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_group_without_a_reason_is_refused(db: Database, reason: str) -> None:
    before = data_dump(db.conn)
    with pytest.raises(InvalidValueError) as caught:
        db.schools.set_groups(
            YEAR,
            [
                GroupDecision(_ids(db)["B"], "leader", "ok"),
                GroupDecision(_ids(db)["A"], "shnor", reason),
            ],
            "Отнесение",
        )
    assert (caught.value.issue.field, caught.value.issue.code) == ("group_reason", "required")
    assert data_dump(db.conn) == before


def test_an_unknown_group_is_refused(db: Database) -> None:
    with pytest.raises(InvalidValueError) as caught:
        db.schools.set_group(_ids(db)["A"], YEAR, "elite", "Почему-то", "Отнесение")
    assert caught.value.issue.code == "unknown_group"
