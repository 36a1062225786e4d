"""Risk profiles: the 500+ vocabulary (seed 004), seed 000's risks with their measures, the matrix.

Seed 000 («11. Описание рисков и способов их нивелирования») gives the risks of
its programme by stage, each with the measures that lessen it; here they are
added to the reference list as a district's own factors and applied to
schools with their measures.  Seed 004 names the 500+ project's factors the
shipped list must hold word for word.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.risks import (
    FactorDraft,
    FactorInUseError,
    MatrixFilter,
    MeasureDraft,
    ReferenceListError,
    shipped_factors,
)
from shnor_desktop.models.roadmap import ActivityDraft, SectionDraft
from shnor_desktop.services.messages import describe_error
from tests.models.test_write_path import data_dump

FIXTURE_V1 = Path(__file__).resolve().parent / "data" / "schema_v1.sqlite"

# Seed 004's own words for the factors of its schools' risk profiles.
SEED_004_FACTORS = (
    "Несформированность внутришкольной системы повышения квалификации",
    "Недостаточная предметная и методическая компетентность педагогических работников",
    "Риски низкой адаптивности учебного процесса",
)
# The issue's examples of the 500+ list.
ISSUE_FACTORS = (
    "Низкий уровень оснащения школы",
    "Дефицит педагогических кадров",
    "Высокая доля обучающихся с рисками учебной неуспешности",
)

# Seed 000, «11. Описание рисков и способов их нивелирования»: (stage, risk, measures).
SEED_000_RISKS = (
    (
        "1. Запуск Программы",
        "Низкая мотивация педагогов на изменения, повышение профессионального уровня",
        (
            "Внесение изменений в показатели оценки эффективности труда педагога в рамках "
            "организационного стимулирования",
            "Проведение оценки профессиональных и метапредметных компетенций педагогов ШНОР, "
            "выявление дефицитов, разработка индивидуальных планов профессионального развития "
            "для педагогов.",
        ),
    ),
    (
        "1. Запуск Программы",
        "Низкая материально-техническая оснащённость",
        (
            "По мере возможности улучшение материально-технического состояния школ в случае "
            "выявленной необходимости.",
        ),
    ),
    (
        "2. Реализация Программы",
        "Сложность включения родителей в образовательный процесс",
        (
            "Проведение серии тренингов, мастер-классов для педагогов-психологов и социальных "
            "педагогов ОО «Работа с семьей, находящейся в социально опасном положении»",
        ),
    ),
    (
        "2. Реализация Программы",
        "Низкий социальный статус семей",
        (
            "Проведение серии тренингов, мастер-классов для педагогов-психологов и социальных "
            "педагогов ОО «Работа с семьей, находящейся в социально опасном положении»",
        ),
    ),
    (
        "2. Реализация Программы",
        "Неготовность к сетевому взаимодействию",
        (
            "Организация сетевого взаимодействия школ в профессиональном сообществе с разным "
            "уровнем качества результатов обучения в муниципалитете. Оформление сетевого "
            "партнёрства. Рассмотрение обязанностей и полномочий сетевого взаимодействия ШНОР.",
        ),
    ),
    (
        "3. Завершающий этап",
        "Выбран неверный путь поддержки ШНОР. Нет повышения образовательных результатов",
        (
            "Организация промежуточного мониторинга. Информация о динамике качества образования "
            "позволяет своевременно корректировать используемые технологии и методики "
            "преподавания",
        ),
    ),
)


def _schools(db: Database) -> dict[str, int]:
    """Four schools of seed 004 (one a branch) with their groups in 2022 and 2023."""
    ids: dict[str, int] = {}
    with db.log.change_set("Школы", "demo") as cs:
        for code, name, group in (
            ("01", "СОШ с. Бартеневка", "shnor"),
            ("02", "СОШ п. Знаменский", "risk"),
            ("04", "ООШ с. Арбузовка", "risk"),
            ("05", "СОШ с. Яблоновый Гай", "prevention"),
        ):
            ids[code] = cs.insert(
                "school", {"code": code, "full_name": f"МОУ «{name}»", "short_name": name}
            )
            for year in (2022, 2023):
                cs.insert(
                    "school_profile",
                    {"school_id": ids[code], "year": year, "group_code": group},
                )
        ids["02-1"] = cs.insert(
            "school",
            {
                "code": "02-1",
                "full_name": "Филиал МОУ «СОШ п. Знаменский» в с. Николаевка",
                "short_name": "Филиал в с. Николаевка",
                "parent_id": ids["02"],
            },
        )
    return ids


@pytest.fixture
def db(empty_db: Database) -> Database:
    """Schools and the shipped reference list, loaded through the change log."""
    _schools(empty_db)
    info = empty_db.risks.load_shipped_factors("Перечень факторов риска «500+»")
    assert info is not None and info.kind == "edit" and info.row_count == 12
    return empty_db


def _ids(db: Database) -> dict[str, int]:
    return {s.code: s.id for s in db.schools.all_schools()}


def _factor_id(db: Database, name: str) -> int:
    return next(f.id for f in db.risks.factors() if f.name == name)


# --- the reference list ------------------------------------------------------------------------


def test_shipped_list_holds_the_500_plus_vocabulary() -> None:
    drafts = shipped_factors()
    names = [d.name for d in drafts]
    assert len(names) == len(set(names)) == 12
    for name in (*SEED_004_FACTORS, *ISSUE_FACTORS):
        assert name in names
    assert "Низкая учебная мотивация обучающихся" in names  # seed 004: «низкая мотивация»
    assert [d.code for d in drafts] == [f"R{i:02d}" for i in range(1, 13)]
    assert all(d.short_name and d.description and d.since_year for d in drafts)
    assert all(d.until_year is None or d.until_year >= (d.since_year or 0) for d in drafts)


def test_the_list_changes_by_year(db: Database) -> None:
    assert len(db.risks.factors_for_year(2020)) == 0
    assert len(db.risks.factors_for_year(2021)) == 10
    assert len(db.risks.factors_for_year(2022)) == 11
    assert [f.name for f in db.risks.factors_for_year(2023)][-2:] == [
        "Высокая доля обучающихся с ОВЗ",
        "Пониженный уровень школьного благополучия",
    ]
    # A factor ended: it leaves the list of the years after.
    old = _factor_id(db, "Риски низкой адаптивности учебного процесса")
    db.risks.update_factor(old, {"until_year": 2022}, "Фактор больше не применяется")
    assert old in {f.id for f in db.risks.factors_for_year(2022)}
    assert old not in {f.id for f in db.risks.factors_for_year(2023)}
    assert db.risks.factor(old).years_text == "2021/22–2022/23"
    assert db.risks.load_shipped_factors("Ещё раз") is None  # it has every code already


def test_reference_list_edits_and_refusals(db: Database) -> None:
    repo = db.risks
    before = data_dump(db.conn)
    info, factor_id = repo.add_factor(
        FactorDraft("M01", "Неготовность к сетевому взаимодействию", since_year=2022),
        "Новый фактор",
    )
    assert repo.factors()[-1].id == factor_id and repo.factor(factor_id).sort_order == 12
    repo.move_factor(factor_id, 0, "Фактор первым")
    assert repo.factors()[0].id == factor_id
    assert [f.sort_order for f in repo.factors()] == list(range(13))
    for values, field, code in (
        ({"code": "r01"}, "code", "duplicate_factor_code"),
        ({"until_year": 2021}, "until_year", "factor_years_order"),
        ({"name": " "}, "name", "required"),
        ({"since_year": "две тысячи"}, "since_year", "not_number"),
    ):
        with pytest.raises(InvalidValueError) as caught:
            repo.update_factor(factor_id, values, "Правка")
        assert (caught.value.issue.field, caught.value.issue.code) == (field, code)
    with pytest.raises(KeyError):
        repo.update_factor(factor_id, {"sort_order": 3}, "Порядок меняет move_factor")
    repo.remove_factor(factor_id, "Удалён фактор")
    assert [f.sort_order for f in repo.factors()] == list(range(12))
    db.undo.undo()
    db.undo.undo()
    db.undo.undo()
    assert data_dump(db.conn) == before


def test_a_factor_in_use_stays(db: Database) -> None:
    ids = _ids(db)
    staff = _factor_id(db, "Дефицит педагогических кадров")
    for school in ("01", "02", "04"):
        db.risks.set_risk(ids[school], 2022, staff, "Профиль", level="средний")
    db.risks.set_risk(ids["01"], 2023, staff, "Профиль", level="высокий")
    with pytest.raises(FactorInUseError) as caught:
        db.risks.remove_factor(staff, "Удалить")
    assert caught.value.years == {2022: 3, 2023: 1}
    assert describe_error(caught.value) == (
        "Фактор «Дефицит педагогических кадров» указан в рисковых профилях школ "
        "(2022/23 — 3 школы, 2023/24 — 1 школа) и не удалён. Чтобы он больше не "
        "предлагался, укажите последний год его действия."
    )
    with pytest.raises(InvalidValueError) as narrowed:
        db.risks.update_factor(staff, {"until_year": 2022}, "Годы")
    assert narrowed.value.issue.code == "factor_years_in_use"
    assert describe_error(narrowed.value) == (
        "«Действует по» (раздел «факторы риска»): фактор указан в рисковых профилях школ "
        "(учебные годы: 2023/24): годы его действия должны их включать. Значение не сохранено."
    )
    db.risks.update_factor(staff, {"until_year": 2023}, "Годы")  # still covers its uses


def test_a_factor_is_set_only_in_its_years(db: Database) -> None:
    ids = _ids(db)
    wellbeing = _factor_id(db, "Пониженный уровень школьного благополучия")  # since 2023/24
    with pytest.raises(InvalidValueError) as caught:
        db.risks.set_risk(ids["01"], 2022, wellbeing, "Профиль", level="низкий")
    assert describe_error(caught.value) == (
        "«Фактор риска» (раздел «рисковые профили»): фактор «Пониженный уровень школьного "
        "благополучия» не входит в перечень 2022/23 учебного года. Значение не сохранено."
    )
    with pytest.raises(InvalidValueError) as level:
        db.risks.set_risk(ids["01"], 2023, wellbeing, "Профиль", level="критический")
    assert level.value.issue.code == "unknown_choice"


# --- seed 000's risks with their measures ------------------------------------------------------


def _seed_000_factors(db: Database) -> list[int]:
    ids = []
    for index, (stage, risk, _measures) in enumerate(SEED_000_RISKS, start=1):
        _, factor_id = db.risks.add_factor(
            FactorDraft(f"A{index}", risk, description=f"Этап: {stage}"), "Риск программы"
        )
        ids.append(factor_id)
    return ids


def test_seed_000_risks_with_measures(db: Database) -> None:
    ids = _ids(db)
    factors = _seed_000_factors(db)
    levels = ("высокий", "средний", "средний", "высокий", "низкий", "средний")
    for factor_id, level, (_, _, measures) in zip(factors, levels, SEED_000_RISKS, strict=True):
        db.risks.set_risk(
            ids["01"],
            2022,
            factor_id,
            "Риски программы",
            level=level,
            measures=[MeasureDraft(text) for text in measures],
        )
    risks = db.risks.risks(ids["01"], 2022)
    assert [r.factor_id for r in risks] == factors
    assert [r.letter for r in risks] == ["В", "С", "С", "В", "Н", "С"]
    assert [len(r.measures) for r in risks] == [2, 1, 1, 1, 1, 1]
    assert risks[0].measures[1].text.startswith("Проведение оценки профессиональных")
    assert (
        risks[3]
        .measures[0]
        .text.endswith("«Работа с семьей, находящейся в социально опасном положении»")
    )
    assert db.risks.factor(factors[5]).description == "Этап: 3. Завершающий этап"
    rows = db.risks.programme_rows(2022)
    assert len(rows) == 7  # one line per measure
    assert {r.school for r in rows} == {"СОШ с. Бартеневка"}


def test_matrix_counts_schools_per_factor(db: Database) -> None:
    ids = _ids(db)
    staff = _factor_id(db, "Дефицит педагогических кадров")
    failure = _factor_id(db, "Высокая доля обучающихся с рисками учебной неуспешности")
    equipment = _factor_id(db, "Низкий уровень оснащения школы")
    plan = {
        ("01", staff): "высокий",
        ("01", failure): "высокий",
        ("02", failure): "средний",
        ("04", failure): "низкий",
        ("04", equipment): "высокий",
        ("05", failure): "средний",
        ("02-1", staff): "низкий",
    }
    for (code, factor_id), level in plan.items():
        db.risks.set_risk(ids[code], 2023, factor_id, "Профиль", level=level)
    db.risks.set_risk(ids["01"], 2022, failure, "Профиль", level="высокий")
    matrix = db.risks.matrix(2023)
    assert len(matrix.factors) == 12
    assert [s.short_name for s in matrix.schools] == [
        "ООШ с. Арбузовка",
        "СОШ п. Знаменский",
        "СОШ с. Бартеневка",
        "СОШ с. Яблоновый Гай",
        "Филиал в с. Николаевка",
    ]
    assert matrix.count(failure) == matrix.counts[failure]
    assert (matrix.count(failure).schools, matrix.count(failure).high) == (4, 1)
    assert (
        matrix.count(failure).medium,
        matrix.count(failure).low,
    ) == (2, 1)
    assert matrix.count(staff).schools == 2
    assert matrix.count(equipment).schools == 1
    assert matrix.count(_factor_id(db, "Низкая учебная мотивация обучающихся")).schools == 0
    cell = matrix.cell(ids["04"], equipment)
    assert cell is not None and (cell.level, cell.letter) == ("высокий", "В")
    assert matrix.cell(ids["05"], equipment) is None
    barten = next(s for s in matrix.schools if s.code == "01")
    assert (barten.factors, barten.high) == (2, 2)
    # The counts agree with the cells (counted in SQL, not in Python).
    for factor in matrix.factors:
        assert matrix.count(factor.id).schools == sum(
            1 for (_, fid) in matrix.cells if fid == factor.id
        )
    # Filters: a group of the year, a search in the name (Russian case folded).
    risk_zone = db.risks.matrix(2023, MatrixFilter(group="risk"))
    assert [s.code for s in risk_zone.schools] == ["04", "02"]
    assert risk_zone.count(failure).schools == 2
    assert [s.code for s in db.risks.matrix(2023, MatrixFilter(search="БАРТЕНЕВКА")).schools] == [
        "01"
    ]
    every = db.risks.matrix(2022, MatrixFilter(with_risks_only=False))
    assert [s.code for s in every.schools] == ["04", "02", "01", "05"]  # no branch without risks
    assert len(every.factors) == 11
    assert db.risks.years() == [2022, 2023]


def test_profile_over_the_years_and_copy(db: Database) -> None:
    ids = _ids(db)
    staff = _factor_id(db, "Дефицит педагогических кадров")
    env = _factor_id(
        db, "Пониженный уровень качества школьной образовательной и воспитательной среды"
    )
    db.risks.set_risk(
        ids["01"],
        2022,
        env,
        "Профиль 2022",
        level="высокий",
        measures=[MeasureDraft("Разработка концепции развития и антирисковой программы")],
        note="Результаты комплексной диагностики",
    )
    db.risks.set_risk(ids["01"], 2022, staff, "Профиль 2022", level="средний")
    info = db.risks.copy_profile(ids["01"], 2022, 2023, "Профиль перенесён на 2023/24")
    assert info is not None
    assert db.risks.copy_profile(ids["01"], 2022, 2023, "Ещё раз") is None
    db.risks.set_risk(ids["01"], 2023, env, "Среда лучше", level="средний")
    profile = db.risks.profile(ids["01"])
    assert profile.years == (2022, 2023)
    assert [f.id for f in profile.factors] == [staff, env]  # the list's order
    first, second = profile.risk(2022, env), profile.risk(2023, env)
    assert first is not None and second is not None
    assert (first.level, second.level) == ("высокий", "средний")
    assert second.note == "Результаты комплексной диагностики"
    assert [m.text for m in second.measures] == [m.text for m in first.measures]


def _roadmap(db: Database) -> list[int]:
    with db.log.change_set("Район", "demo") as cs:
        district_id = cs.insert("district", {"name": "Ивантеевский муниципальный район"})
    _, programme_id = db.roadmap.add_programme(
        {"district_id": district_id, "title": "Программа", "start_year": 2023, "end_year": 2024},
        "Программа",
    )
    db.roadmap.add_roadmap(
        programme_id,
        [
            SectionDraft(
                "Развитие кадрового потенциала",
                "3.",
                (
                    ActivityDraft("Анализ кадрового обеспечения", "3.1.", deadline_text="Август"),
                    ActivityDraft(
                        "Организация участия в повышении квалификации руководителей и "
                        "педагогических работников школы (курсы, семинары, вебинары)",
                        "3.2.",
                    ),
                ),
            )
        ],
        "Дорожная карта",
    )
    choices = db.risks.activity_choices()
    assert [c.label for c in choices] == [
        "3.1. Анализ кадрового обеспечения",
        "3.2. Организация участия в повышении квалификации руководителей и педагогических "
        "работников школы (курсы, семинары, вебинары)",
    ]
    return [c.id for c in choices]


def test_measures_change_by_their_differences_and_undo_restores(db: Database) -> None:
    ids = _ids(db)
    analysis, training = _roadmap(db)
    staff = _factor_id(db, "Дефицит педагогических кадров")
    before = data_dump(db.conn)
    first = db.risks.set_risk(
        ids["01"],
        2023,
        staff,
        "Фактор: дефицит кадров",
        level="средний",
        measures=[
            MeasureDraft("Анализ кадрового обеспечения", analysis),
            MeasureDraft("Курсы повышения квалификации", training),
            MeasureDraft("Привлечение учителей по программе «Земский учитель»"),
        ],
    )
    assert isinstance(first, ChangeSetInfo) and first.row_count == 4
    after_first = data_dump(db.conn)
    risk = db.risks.risk(ids["01"], 2023, staff)
    assert risk is not None
    assert [(m.activity_number, m.activity_id) for m in risk.measures] == [
        ("3.1", analysis),
        ("3.2", training),
        ("", None),
    ]
    assert risk.measures[1].activity_title.startswith("Организация участия в повышении")
    same = db.risks.set_risk(
        ids["01"],
        2023,
        staff,
        "Ничего",
        level="средний",
        measures=[m.draft for m in risk.measures],
    )
    assert same is None
    second = db.risks.set_risk(
        ids["01"],
        2023,
        staff,
        "Мера удалена, уровень повышен",
        level="высокий",
        measures=[risk.measures[0].draft, MeasureDraft("Курсы в СОИРО", training)],
    )
    assert second is not None
    assert second.tables == frozenset({"school_risk", "risk_measure"})
    assert second.row_count == 3  # the level, the second measure's text, the third removed
    assert [m.text for m in db.risks.risk(ids["01"], 2023, staff).measures] == [  # type: ignore[union-attr]
        "Анализ кадрового обеспечения",
        "Курсы в СОИРО",
    ]
    # Removing the roadmap activity clears the link; undo brings it back.
    db.roadmap.remove_activity(analysis, "Удалено мероприятие")
    kept = db.risks.risk(ids["01"], 2023, staff)
    assert kept is not None and kept.measures[0].activity_id is None
    db.undo.undo()
    db.undo.undo()
    assert data_dump(db.conn) == after_first
    db.risks.set_risk(ids["01"], 2023, staff, "Фактор снят", level=None)
    assert db.risks.risk(ids["01"], 2023, staff) is None
    db.undo.undo()
    db.undo.undo()
    assert data_dump(db.conn) == before
    db.undo.redo()
    assert data_dump(db.conn) == after_first


def test_a_link_to_a_missing_activity_is_refused(db: Database) -> None:
    ids = _ids(db)
    staff = _factor_id(db, "Дефицит педагогических кадров")
    with pytest.raises(InvalidValueError) as caught:
        db.risks.set_risk(
            ids["01"], 2023, staff, "Мера", level="низкий", measures=[MeasureDraft("Мера", 999)]
        )
    assert caught.value.issue.code == "unknown_activity"
    assert db.risks.risk(ids["01"], 2023, staff) is None  # nothing of the set was kept
    with pytest.raises(InvalidValueError) as empty:
        db.risks.set_risk(
            ids["01"], 2023, staff, "Мера", level="низкий", measures=[MeasureDraft("  ")]
        )
    assert empty.value.issue.field == "text"


def test_a_broken_shipped_list_is_worded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "risk_factors.json"
    broken.write_text('{"factors": [{"name": "без кода"}]}', encoding="utf-8")
    monkeypatch.setattr("shnor_desktop.models.risks.resource_path", lambda *parts: broken)
    with pytest.raises(ReferenceListError) as caught:
        shipped_factors()
    assert describe_error(caught.value).startswith(
        "Перечень факторов риска, поставляемый с программой"
    )


def test_measures_written_as_text_in_schema_1_become_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE_V1, path)
    conn = sqlite3.connect(path)
    school = conn.execute(
        "INSERT INTO school (code, full_name, short_name) VALUES ('R-99', 'МОУ «СОШ»', 'СОШ')"
    ).lastrowid
    factor = conn.execute(
        "INSERT INTO risk_factor (code, name) VALUES ('R02', 'Дефицит педагогических кадров')"
    ).lastrowid
    conn.execute(
        "INSERT INTO school_risk (school_id, year, risk_factor_id, level, measures)"
        " VALUES (?, 2021, ?, 'высокий', ' Земский учитель ')",
        (school, factor),
    )
    conn.commit()
    conn.close()
    db = Database.open(path)
    try:
        risk = db.risks.risk(int(school or 0), 2021, int(factor or 0))
        assert risk is not None and [m.text for m in risk.measures] == ["Земский учитель"]
        assert db.conn.execute("SELECT measures FROM school_risk").fetchone()[0] == ""
    finally:
        db.close()
