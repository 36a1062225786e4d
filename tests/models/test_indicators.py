"""Programme indicators: the tree in natural code order, seeds 000 and 001, rules, computations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.indicators import (
    COMPUTATIONS,
    Cell,
    ComputeContext,
    IndicatorQuery,
    IndicatorRow,
    computed_key,
    formula_text,
    parse_computed,
    positive_dynamics,
    status,
)
from shnor_desktop.models.metrics import Counts

# --- seed 001: sub-programme 2 passport (baseline «на начало», plans 2021–2024) -------------
# (code, name, baseline, plans 2021..2024); None figures: a heading without values.
SEED_001: tuple[tuple[str, str, float | None, tuple[float, ...]], ...] = (
    (
        "2.1.",
        "Выявление динамики образовательных результатов в школах с низкими образовательными "
        "результатами обучающихся и школ, функционирующих в неблагоприятных социальных условиях",
        None,
        (),
    ),
    (
        "2.1.1.",
        "Доля школ, в которых проведен анализ данных об образовательных результатах "
        "обучающихся и внешних социальных условиях работы",
        100,
        (100, 100, 100, 100),
    ),
    (
        "2.1.2.",
        "Доля ШНОР и/или ШНСУ, ежегодно показывающих положительную динамику образовательных "
        "результатов обучающихся",
        50,
        (50, 100, 100, 100),
    ),
    (
        "2.2.",
        "Доля педагогических работников в ШНОР и/или ШНСУ, прошедших диагностику "
        "профессиональных (предметных, методических) компетенций, в том числе с применением "
        "дистанционных технологий",
        17,
        (30, 40, 50, 50),
    ),
    (
        "2.3.",
        "Оказание методической помощи школам с низкими образовательными результатами "
        "обучающихся и школ, функционирующих в неблагоприятных социальных условиях",
        None,
        (),
    ),
    ("2.3.1.", "Доля ШНОР и/или ШНСУ, охваченных методической работой", 100, (100,) * 4),
    (
        "2.3.2.",
        "Доля ШНОР и/или ШНСУ, вовлеченных в сетевое взаимодействие с опорными школами / "
        "школами-лидерами",
        0,
        (100,) * 4,
    ),
    (
        "2.3.3.",
        "Доля ШНОР, которым оказана адресная методическая помощь, в рамках проекта по "
        "организации методической поддержки общеобразовательных организаций, имеющих низкие "
        "образовательные результаты обучающихся",
        100,
        (100,) * 4,
    ),
)
SEED_001_YEARS = (2021, 2022, 2023, 2024)
SEED_001_SOURCE = (
    "Статистико-аналитические отчеты, аналитические справки по результатам деятельности"
)

# --- seed 000: five target indicators, value 2021 and plans 2022–2024 (in percent) ----------
SEED_000_GOAL = (
    "Повышение качества образования и уровня ресурсного обеспечения школ, имеющих стабильно "
    "низкие результаты обучения и школ, функционирующих в неблагоприятных социальных условиях"
)
SEED_000: tuple[tuple[str, float, tuple[float, float, float]], ...] = (
    (
        "Доля образовательных программ, реализуемых с использованием сетевых форм "
        "взаимодействия между образовательными организациями",
        22,
        (50, 60, 70),
    ),
    (
        "Доля обучающихся, занимающихся по дополнительным образовательным программам и "
        "получивших зачет по учебным дисциплинам, с составлением индивидуального учебного плана",
        10,
        (12, 14, 15),
    ),
    (
        "Доля педагогов школ, включенных в активные формы взаимодействия и саморазвития "
        "(профессиональные сообщества, конкурсное движение и др.)",
        50,
        (60, 70, 80),
    ),
    (
        "Доля участников образовательных отношений, удовлетворенных материально-техническим "
        "обеспечением организации",
        10,
        (20, 30, 40),
    ),
    (
        "Доля школьных проектов по оказанию адресной помощи педагогам и учащимся, в отношении "
        "которых проведена экспертиза дефицитов",
        3,
        (4, 6, 10),
    ),
)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """An empty database with a district and one programme (2021–2024)."""
    database = Database.open(tmp_path / "ind.sqlite")
    with database.log.change_set("Начальные данные", "demo") as cs:
        district_id = cs.insert("district", {"name": "Тестовый район"})
        cs.insert(
            "programme",
            {
                "district_id": district_id,
                "title": "Подпрограмма 2",
                "start_year": 2021,
                "end_year": 2024,
            },
        )
    try:
        yield database
    finally:
        database.close()


def _programme(db: Database) -> int:
    return db.indicators.programmes()[0].id


def _add(db: Database, code: str, parent: int | None = None, **values: Any) -> int:
    _, indicator_id = db.indicators.add(
        {"programme_id": _programme(db), "code": code, "name": f"Показатель {code}", **values}
        | ({"parent_id": parent} if parent is not None else {}),
        f"Добавлен показатель {code}",
    )
    return indicator_id


def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    conn = db.reader()
    return {
        table: [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")]
        for table in ("indicator", "indicator_value", "school_profile")
    }


def build_seed_001(db: Database) -> dict[str, int]:
    """Seed 001's indicator table through the repository; ids by code as stored."""
    ids: dict[str, int] = {}
    programme_id = _programme(db)
    for code, name, baseline, plans in SEED_001:
        stored = code.rstrip(".")
        parent_code = stored.rpartition(".")[0]
        values: dict[str, Any] = {
            "programme_id": programme_id,
            "code": code,
            "name": name,
            "unit": "%" if plans else "",
            "baseline": baseline,
            "frequency": "раз в полугодие",
            "source_note": SEED_001_SOURCE,
        }
        if parent_code in ids:
            values["parent_id"] = ids[parent_code]
        _, ids[stored] = db.indicators.add(values, f"Показатель {stored}")
        for year, plan in zip(SEED_001_YEARS, plans, strict=False):
            db.indicators.set_plan(Cell(ids[stored], year), plan, f"План {stored} на {year}")
    return ids


def build_seed_000(db: Database) -> list[int]:
    """Seed 000's goal and its five target indicators (value 2021, plans 2022–2024)."""
    programme_id = _programme(db)
    _, goal = db.indicators.add(
        {"programme_id": programme_id, "code": "1", "name": SEED_000_GOAL, "unit": ""}, "Цель"
    )
    ids = []
    for number, (name, baseline, plans) in enumerate(SEED_000, start=1):
        _, indicator_id = db.indicators.add(
            {
                "programme_id": programme_id,
                "parent_id": goal,
                "code": f"1.{number}",
                "name": name,
                "unit": "процент",
                "baseline": baseline,
                "baseline_year": 2021,
            },
            f"Показатель 1.{number}",
        )
        for year, plan in zip((2022, 2023, 2024), plans, strict=True):
            db.indicators.set_plan(Cell(indicator_id, year), plan, "План")
        ids.append(indicator_id)
    return ids


# --- the tree ---------------------------------------------------------------------------------


def test_tree_is_read_in_natural_code_order(db: Database) -> None:
    two = _add(db, "2")
    for code in ("2.10", "2.2", "2.1"):
        _add(db, code, two)
    two_one = db.indicators.tree(IndicatorQuery(_programme(db)))[1].indicator
    assert two_one.code == "2.1"
    for code in ("2.1.2", "2.1.1"):
        _add(db, code, two_one.id)
    _add(db, "10")
    _add(db, "3")
    rows = db.indicators.tree(IndicatorQuery(_programme(db)))
    assert [(r.indicator.code, r.depth) for r in rows] == [
        ("2", 0),
        ("2.1", 1),
        ("2.1.1", 2),
        ("2.1.2", 2),
        ("2.2", 1),
        ("2.10", 1),
        ("3", 0),
        ("10", 0),
    ]
    assert [r.child_count for r in rows][:2] == [3, 2]


def test_seed_001_table_reads_back_with_its_exact_figures(db: Database) -> None:
    build_seed_001(db)
    rows = db.indicators.tree(IndicatorQuery(_programme(db), SEED_001_YEARS))
    assert [r.indicator.code for r in rows] == [c.rstrip(".") for c, *_ in SEED_001]
    assert [r.depth for r in rows] == [0, 1, 1, 0, 0, 1, 1, 1]
    for row, (code, name, baseline, plans) in zip(rows, SEED_001, strict=True):
        indicator = row.indicator
        assert indicator.name == name
        assert indicator.baseline == baseline
        assert indicator.baseline_year is None  # «на начало реализации программы»
        assert indicator.frequency == "раз в полугодие"
        assert indicator.direction == "higher"
        assert tuple(row.plan(y) for y in SEED_001_YEARS) == (plans or (None,) * 4), code
        assert all(row.actual(y).kind == "none" for y in SEED_001_YEARS)
    by_code = {r.indicator.code: r for r in rows}
    assert by_code["2.2"].plan(2023) == 50 and by_code["2.2"].indicator.baseline == 17
    assert by_code["2.1.2"].plan(2021) == 50 and by_code["2.1.2"].plan(2022) == 100
    assert by_code["2.3.2"].indicator.baseline == 0


def test_seed_000_target_indicators_read_back(db: Database) -> None:
    build_seed_000(db)
    rows = db.indicators.tree(IndicatorQuery(_programme(db), (2022, 2023, 2024)))
    assert rows[0].indicator.name == SEED_000_GOAL and rows[0].child_count == 5
    got = [
        (r.indicator.name, r.indicator.baseline, tuple(r.plan(y) for y in (2022, 2023, 2024)))
        for r in rows[1:]
    ]
    assert got == [(n, b, p) for n, b, p in SEED_000]
    assert all(r.indicator.baseline_year == 2021 for r in rows[1:])
    assert all(r.indicator.unit == "процент" for r in rows[1:])


# --- status -------------------------------------------------------------------------------


def test_status_follows_the_direction_and_the_shown_precision() -> None:
    assert status("higher", 50, 50) == "met"
    assert status("higher", 50, 49.9) == "not_met"
    assert status("lower", 10, 9) == "met"
    assert status("lower", 10, 11) == "not_met"
    assert status("higher", 67, 200 / 3) == "not_met"  # 66,7 % shown: below 67
    assert status("higher", 66.7, 200 / 3) == "met"  # as shown, 66,7 = 66,7
    assert status("higher", None, 50) == "no_data"
    assert status("lower", 10, None) == "no_data"


# --- rules on every write path ------------------------------------------------------------


def test_rules_refuse_duplicates_cycles_and_unknown_computations(db: Database) -> None:
    top = _add(db, "1")
    child = _add(db, "1.1", top)
    with pytest.raises(InvalidValueError) as exc:
        _add(db, "1.1.", top)  # «1.1.» is stored as «1.1»
    assert exc.value.issue.code == "duplicate_code"
    with pytest.raises(InvalidValueError) as exc:
        db.indicators.update(top, {"parent_id": child}, "Цикл")
    assert exc.value.issue.code == "parent_cycle"
    with pytest.raises(InvalidValueError) as exc:
        db.indicators.update(top, {"parent_id": top}, "Сам в себя")
    assert exc.value.issue.code == "parent_cycle"
    with pytest.raises(InvalidValueError) as exc:
        _add(db, "2", computed="profile.no_such_field")
    assert exc.value.issue.code == "unknown_computation"
    with pytest.raises(InvalidValueError) as exc:
        db.indicators.set_plan(Cell(child, 2022), 120, "План 120 %")
    assert exc.value.issue.code == "share_range"
    with pytest.raises(InvalidValueError) as exc:
        db.indicators.set_plan(Cell(child, 2022), "много", "План")
    assert exc.value.issue.code == "not_number"
    db.indicators.set_plan(Cell(child, 2022), "26,5", "План 26,5")
    # A count in persons may exceed 100.
    people = _add(db, "3", unit="чел.")
    db.indicators.set_plan(Cell(people, 2022), 120, "План 120 чел.")
    rows = {r.indicator.code: r for r in db.indicators.tree(IndicatorQuery(_programme(db)))}
    assert rows["1.1"].plan(2022) == 26.5 and rows["3"].plan(2022) == 120


def test_other_programme_parent_is_refused(db: Database) -> None:
    top = _add(db, "1")
    with db.log.change_set("Вторая программа", "demo") as cs:
        other = cs.insert(
            "programme",
            {"district_id": 1, "title": "Другая", "start_year": 2022, "end_year": 2023},
        )
    with pytest.raises(InvalidValueError) as exc:
        db.indicators.add(
            {"programme_id": other, "code": "1.1", "name": "Чужой", "parent_id": top}, "Чужой"
        )
    assert exc.value.issue.code == "parent_other_programme"


def test_removing_an_indicator_removes_its_subtree_and_undo_restores_it(db: Database) -> None:
    ids = build_seed_001(db)
    before = _dump(db)
    info = db.indicators.remove(ids["2.3"], "Удалён 2.3")
    codes = [r.indicator.code for r in db.indicators.tree(IndicatorQuery(_programme(db)))]
    assert codes == ["2.1", "2.1.1", "2.1.2", "2.2"]
    assert info.touches("indicator", "indicator_value")
    db.undo.undo()
    assert _dump(db) == before


# --- computed indicators ------------------------------------------------------------------


def test_registry_has_a_formula_for_every_computation() -> None:
    for computation in COMPUTATIONS:
        for groups in ((), ("risk",), ("shnor", "risk")):
            text = formula_text(computed_key(computation.key, groups))
            assert "{" not in text and "÷" in text and "× 100 %" in text
    assert parse_computed("profile.tochka_rosta:risk,shnor") is not None
    assert computed_key("profile.tochka_rosta", ("risk", "shnor")) == (
        "profile.tochka_rosta:shnor,risk"
    )
    assert parse_computed("profile.tochka_rosta:nogroup") is None
    assert "школ группы «Зона риска (ШНСУ)»" in formula_text("profile.tochka_rosta:risk")


def test_tochka_rosta_share_of_the_demo_risk_group(demo_path: Path) -> None:
    """Seed 004 says 67 % on January 2023; the demo's passports of 2022/23 give 2 of 3."""
    database = Database.open(demo_path)
    try:
        programme = database.indicators.programmes()[0].id
        rows = {
            r.indicator.code: r
            for r in database.indicators.tree(IndicatorQuery(programme, (2021, 2022)))
        }
        tochka = rows["2.2"]
        assert tochka.indicator.computed == "profile.tochka_rosta:risk"
        now = tochka.actual(2022)
        assert now.kind == "computed" and now.computed is not None
        assert (now.computed.numerator, now.computed.denominator) == (2, 3)
        assert now.value is not None and round(now.value) == 67
        assert now.value == pytest.approx(200 / 3)
        assert {m.school_name: m.counted for m in now.computed.members} == {
            "СОШ п. Знаменский": True,
            "СОШ с. Ивановка": True,
            "ООШ с. Арбузовка": False,
        }
        # January 2022: the report's 67 % is kept as a figure from the document, and the
        # passports of 2021/22 (centres created in 2022) give 0 of 3 beside it.
        then = tochka.actual(2021)
        assert (then.kind, then.value, then.source) == ("override", 67.0, "seed")
        assert then.computed is not None and then.computed.value == 0.0
    finally:
        database.close()


def _profile(cs: Any, school_id: int, year: int, group: str, **values: Any) -> None:
    cs.insert(
        "school_profile",
        {"school_id": school_id, "year": year, "group_code": group, **values},
    )


def _schools(db: Database, *names: str) -> list[int]:
    ids = []
    with db.log.change_set("Школы", "demo") as cs:
        for number, name in enumerate(names, start=1):
            ids.append(
                cs.insert(
                    "school", {"code": f"{number:02d}", "full_name": name, "short_name": name}
                )
            )
    return ids


def test_computed_actual_is_recomputed_on_change_and_undo(db: Database) -> None:
    a, b = _schools(db, "Школа А", "Школа Б")
    with db.log.change_set("Паспорта", "demo") as cs:
        _profile(cs, a, 2022, "risk", tochka_rosta=1)
        _profile(cs, b, 2022, "risk", tochka_rosta=0)
    indicator = _add(db, "2.2", computed="profile.tochka_rosta:risk")
    query = IndicatorQuery(_programme(db), (2022,))
    assert db.indicators.tree(query)[0].actual(2022).value == 50.0
    db.schools.set_profile_value(b, 2022, "tochka_rosta", 1, "Точка роста в школе Б")
    assert db.indicators.tree(query)[0].actual(2022).value == 100.0
    db.undo.undo()
    assert db.indicators.tree(query)[0].actual(2022).value == 50.0
    assert db.indicators.computed_value(indicator, 2022) is not None
    # A school of another group, or without the fact in its passport, does not count.
    db.schools.set_profile_value(b, 2022, "tochka_rosta", None, "Сведений нет")
    value = db.indicators.computed_value(indicator, 2022)
    assert value is not None and (value.value, value.denominator, value.missing) == (100.0, 1, 1)


def test_a_computed_value_is_never_typed_over_silently(db: Database) -> None:
    (a,) = _schools(db, "Школа А")
    with db.log.change_set("Паспорт", "demo") as cs:
        _profile(cs, a, 2022, "risk", tochka_rosta=1)
    indicator = _add(db, "2.2", computed="profile.tochka_rosta:risk")
    cell = Cell(indicator, 2022)
    with pytest.raises(InvalidValueError) as exc:
        db.indicators.set_actual(cell, 67, "Факт")
    assert exc.value.issue.code == "computed_actual"
    # The rule holds on every write path: a raw insert must say where the figure comes from.
    with pytest.raises(InvalidValueError), db.log.change_set("Импорт", "import") as cs:
        cs.insert("indicator_value", {"indicator_id": indicator, "year": 2022, "actual": 67})
    # A plan and a note are typed as usual.
    db.indicators.set_plan(cell, 80, "План")
    db.indicators.set_note(cell, "На январь 2023 г.", "Примечание")
    query = IndicatorQuery(_programme(db), (2022,))
    assert db.indicators.tree(query)[0].actual(2022).kind == "computed"
    db.indicators.set_actual(cell, 67, "Факт вместо вычисленного", replace_computed=True)
    actual = db.indicators.tree(query)[0].actual(2022)
    assert (actual.kind, actual.value, actual.source) == ("override", 67.0, "manual")
    assert actual.computed is not None and actual.computed.value == 100.0
    db.indicators.set_actual(cell, None, "Вернуть вычисленное")
    back = db.indicators.tree(query)[0]
    assert back.actual(2022).kind == "computed" and back.actual(2022).value == 100.0
    assert back.plan(2022) == 80 and back.value(2022) is not None
    assert back.value(2022).note == "На январь 2023 г."  # type: ignore[union-attr]


def test_positive_dynamics_pools_vpr_and_oge_of_the_group(db: Database) -> None:
    a, b, c, d = _schools(db, "Школа А", "Школа Б", "Школа В", "Школа Г")
    with db.log.change_set("Паспорта и результаты", "demo") as cs:
        for school, group in ((a, "shnor"), (b, "shnor"), (c, "risk"), (d, "shnor")):
            _profile(cs, school, 2022, group)
        # (school, year, procedure, n2, n3, n4, n5): quality = (n4 + n5) / N.
        for school, year, procedure, marks in (
            (a, 2021, "ВПР", (2, 6, 2, 0)),  # А: 2021 ВПР 2 of 10 + ОГЭ 2 of 10 = 20 %
            (a, 2021, "ОГЭ", (0, 8, 2, 0)),
            (a, 2022, "ВПР", (0, 5, 4, 1)),  # А: 2022 5 of 10 + 3 of 10 = 40 % — up
            (a, 2022, "ОГЭ", (0, 7, 3, 0)),
            (b, 2021, "ВПР", (0, 4, 5, 1)),  # Б: 60 % → 50 % — down
            (b, 2022, "ВПР", (0, 5, 5, 0)),
            (c, 2021, "ВПР", (0, 9, 1, 0)),  # В: another group
            (c, 2022, "ВПР", (0, 1, 9, 0)),
            (d, 2022, "ВПР", (0, 5, 5, 0)),  # Г: no results the year before
        ):
            n2, n3, n4, n5 = marks
            cs.insert(
                "assessment",
                {
                    "school_id": school,
                    "year": year,
                    "procedure": procedure,
                    "subject": "Математика",
                    "grade": 9 if procedure == "ОГЭ" else 5,
                    "participants": n2 + n3 + n4 + n5,
                    "n2": n2,
                    "n3": n3,
                    "n4": n4,
                    "n5": n5,
                },
            )
    indicator = _add(db, "2.1.2", computed=computed_key("results.positive_dynamics", ("shnor",)))
    value = db.indicators.computed_value(indicator, 2022)
    assert value is not None
    assert (value.value, value.numerator, value.denominator, value.missing) == (50.0, 1, 2, 1)
    figures = {m.school_name: (m.counted, m.figure) for m in value.members}
    assert figures["Школа А"][0] is True and figures["Школа А"][1] == pytest.approx(20.0)
    assert figures["Школа Б"][0] is False and figures["Школа Б"][1] == pytest.approx(-10.0)
    assert figures["Школа Г"] == (None, None)
    assert "Школа В" not in figures


def test_positive_dynamics_without_a_results_area_is_no_data(db: Database) -> None:
    (a,) = _schools(db, "Школа А")
    with db.log.change_set("Паспорт", "demo") as cs:
        _profile(cs, a, 2022, "shnor")

    class NoResults:
        def school_counts(self, *args: Any, **kwargs: Any) -> dict[int, Counts]:
            return {}

    conn: sqlite3.Connection = db.reader()
    for results in (None, NoResults()):
        value = positive_dynamics(ComputeContext(conn, results), 2022, ("shnor",))
        assert value.value is None and value.denominator == 0 and value.missing == 1


# --- values and round trip ----------------------------------------------------------------


def test_per_school_values_and_round_trip_through_the_log(db: Database) -> None:
    a, b = _schools(db, "Школа А", "Школа Б")
    indicator = _add(db, "3.2", direction="lower")
    before = _dump(db)
    with db.log.change_set("Таблица трека 3") as cs:
        for school, first, second in ((a, 13, 9), (b, 17, 10)):
            for year, actual, note in (
                (2021, first, "На январь 2022 г."),
                (2022, second, "На январь 2023 г."),
            ):
                cs.insert(
                    "indicator_value",
                    {
                        "indicator_id": indicator,
                        "year": year,
                        "school_id": school,
                        "actual": actual,
                        "source": "seed",
                        "note": note,
                    },
                )
    assert cs.info is not None
    row: IndicatorRow = db.indicators.tree(IndicatorQuery(_programme(db), (2021, 2022)))[0]
    assert row.school_ids() == [a, b]
    assert [(row.actual(2021, s).value, row.actual(2022, s).value) for s in (a, b)] == [
        (13, 9),
        (17, 10),
    ]
    assert row.value(2022, a) is not None and row.value(2022, a).note == "На январь 2023 г."  # type: ignore[union-attr]
    db.indicators.set_plan(Cell(indicator, 2022, a), 10, "План школы А")
    assert db.indicators.tree(IndicatorQuery(_programme(db), (2022,)))[0].status(2022, a) == "met"
    with pytest.raises(InvalidValueError) as exc, db.log.change_set("Дубль") as dup:
        dup.insert("indicator_value", {"indicator_id": indicator, "year": 2022, "school_id": a})
    assert exc.value.issue.code == "duplicate_value"
    db.undo.undo()  # the plan
    db.log.revert(cs.info.id)
    assert _dump(db) == before


def test_set_value_creates_one_row_per_cell_and_empty_writes_nothing(db: Database) -> None:
    indicator = _add(db, "1")
    assert db.indicators.set_note(Cell(indicator, 2022), "", "Пусто") is None
    assert db.indicators.set_plan(Cell(indicator, 2022), None, "Пусто") is None
    db.indicators.set_plan(Cell(indicator, 2022), 50, "План")
    db.indicators.set_actual(Cell(indicator, 2022), 55, "Факт")
    assert db.indicators.set_actual(Cell(indicator, 2022), "55", "Тот же факт") is None
    count = db.reader().execute("SELECT count(*) FROM indicator_value").fetchone()[0]
    assert count == 1
    row = db.indicators.tree(IndicatorQuery(_programme(db), (2022,)))[0]
    assert (row.plan(2022), row.actual(2022).value, row.status(2022)) == (50, 55, "met")
