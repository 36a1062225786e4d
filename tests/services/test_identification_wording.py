"""The Russian wording of identification facts, conditions and refusals."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shnor_desktop.models.fields import FieldIssue
from shnor_desktop.models.identification import (
    DEFAULT_RULES,
    Block,
    Condition,
    Fact,
    Suggestion,
    YearFigure,
)
from shnor_desktop.services.identification import (
    GROUP_NONE_REASON,
    MINUS,
    block_text,
    compare_text,
    fact_text,
    measure_text,
    number,
    reason_text,
    results_phrase,
    rules_issue_text,
    signed,
    subject_dative,
    threshold_text,
)


def _fact(**kw: object) -> Fact:
    values: dict[str, object] = {
        "measure": "quality",
        "compare": "district_diff",
        "op": "<=",
        "threshold": -15.0,
        "value": 18.2,
        "district": 41.0,
        "difference": 18.2 - 41.0,
        "years": (2020, 2021),
        "per_year": (),
        "procedure": "ОГЭ",
        "subject": "Математика",
        "grade": None,
    }
    values.update(kw)
    return Fact(**values)  # type: ignore[arg-type]


def _passport(measure: str, value: float, threshold: float, op: str = "<=") -> Fact:
    return Fact(
        measure=measure,
        compare="absolute",
        op=op,  # type: ignore[arg-type]
        threshold=threshold,
        value=value,
        district=None,
        difference=None,
        years=(2022,),
        per_year=(YearFigure(2022, value, compared=value),),
    )


# --- the facts as the issue words them -----------------------------------------------------------
def test_the_issue_example_word_for_word() -> None:
    assert fact_text(_fact()) == (
        "качество ОГЭ по математике 18,2 % при районном 41,0 % (−22,8 п.п.), два года подряд"
    )


def test_one_year_says_no_years_in_a_row() -> None:
    assert fact_text(_fact(years=(2021,))) == (
        "качество ОГЭ по математике 18,2 % при районном 41,0 % (−22,8 п.п.)"
    )
    assert fact_text(_fact(years=(2019, 2020, 2021))).endswith(", три года подряд")


def test_passport_facts() -> None:
    assert fact_text(_passport("sek_index", 23.0, 30.0)) == "индекс СЭК 23,0 при пороге 30,0"
    assert fact_text(_passport("distance_km", 48.0, 40.0, ">=")) == (
        "расстояние до районного центра 48 км"
    )
    assert fact_text(_passport("distance_km", 12.5, 10.0, ">=")) == (
        "расстояние до районного центра 12,5 км"
    )
    assert fact_text(_passport("pupils_total", 38.0, 100.0)) == (
        "контингент 38 чел. при пороге 100 чел."
    )
    assert fact_text(_passport("pct_low_income", 41.0, 25.0, ">=")) == (
        "доля детей из семей с доходом ниже прожиточного минимума 41,0 % при пороге 25,0 %"
    )
    assert fact_text(_passport("project_500", 1.0, 1.0, ">=")) == "участник проекта «500+»"


def test_result_facts_of_every_compare() -> None:
    above = _fact(value=72.1, district=56.9, difference=15.2, threshold=5.0, op=">=")
    assert "72,1 % при районном 56,9 % (+15,2 п.п.)" in fact_text(above)
    ratio = _fact(compare="district_ratio", difference=0.5, threshold=0.6, years=(2021,))
    assert fact_text(ratio) == (
        "качество ОГЭ по математике 18,2 % при районном 41,0 % (в 2,0 раза ниже районного)"
    )
    change = _fact(
        compare="change",
        value=44.2,
        district=None,
        difference=-10.25,
        years=(2021,),
        per_year=(YearFigure(2021, 44.2, previous=54.45, compared=-10.25),),
        procedure="ВПР",
        subject=None,
    )
    # The difference of the figures shown: 44,2 − 54,5 (54,45 rounds up), never «−10,2».
    assert fact_text(change) == (
        "качество ВПР (все предметы) снизилось за год с 54,5 % до 44,2 % (−10,3 п.п.)"
    )
    failed = _fact(
        measure="failed", compare="absolute", value=12.5, district=None, difference=None,
        threshold=10.0, op=">=", subject="Русский язык", grade=9,
    )  # fmt: skip
    assert fact_text(failed) == (
        "доля неудовлетворительных результатов ОГЭ по русскому языку в 9 классе 12,5 %"
        " при пороге 10,0 %, два года подряд"
    )
    score = _fact(measure="mean_score", value=12.34, district=14.0, difference=-1.66)
    assert "средний балл ОГЭ по математике 12,3 при районном 14,0 (−1,7)" in fact_text(score)


def test_the_reason_is_the_facts_joined_and_none_has_its_own() -> None:
    def suggestion(group: str, facts: tuple[Fact, ...]) -> Suggestion:
        return Suggestion(1, "01", "СОШ", None, 2022, "none", "", group, facts=facts)

    two = suggestion("risk", (_fact(), _passport("sek_index", 23.0, 30.0)))
    assert reason_text(two) == (
        "Качество ОГЭ по математике 18,2 % при районном 41,0 % (−22,8 п.п.), два года подряд;"
        " индекс СЭК 23,0 при пороге 30,0"
    )
    assert reason_text(suggestion("none", ())) == GROUP_NONE_REASON


# --- numbers ------------------------------------------------------------------------------------
_SHOWN = re.compile(r"^−?\d{1,3}(\u00a0\d{3})*,\d$")


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_numbers_have_a_comma_one_decimal_and_a_real_minus(value: float) -> None:
    text = number(value)
    assert _SHOWN.match(text), text
    assert "-" not in text and "." not in text
    back = float(text.replace(MINUS, "-").replace("\u00a0", "").replace(",", "."))
    assert back == pytest.approx(value, abs=0.05 + 1e-9)
    assert text.startswith(MINUS) == (round(value, 1) < 0)


@given(st.floats(min_value=-100, max_value=100, allow_nan=False))
def test_signed_differences_carry_their_sign(value: float) -> None:
    text = signed(value)
    if round(value, 1) == 0:
        assert text == "0,0"
    else:
        assert text[0] == ("+" if value > 0 else MINUS)
        assert text[1:] == number(abs(value))


@given(
    st.floats(min_value=0, max_value=100, allow_nan=False),
    st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_the_shown_difference_agrees_with_the_shown_figures(value: float, district: float) -> None:
    text = fact_text(_fact(value=value, district=district, difference=value - district))
    shown = re.findall(r"(\d+,\d) %", text)
    diff = re.search(r"\(([+−]?\d+,\d) п\.п\.\)", text)
    assert len(shown) == 2 and diff is not None
    a, b = (float(x.replace(",", ".")) for x in shown)
    d = float(diff.group(1).replace(MINUS, "-").replace(",", "."))
    assert d == pytest.approx(a - b, abs=1e-9)


# --- subjects and conditions --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("subject", "dative"),
    [
        ("Математика", "математике"),
        ("Русский язык", "русскому языку"),
        ("Обществознание", "обществознанию"),
        ("Информатика", "информатике"),
        ("Биология", "биологии"),
        ("История", "истории"),
        ("Окружающий мир", "окружающему миру"),
        ("Английский язык", "английскому языку"),
        ("Родная литература", "родной литературе"),
        ("Математика (профильная)", "«математика (профильная)»"),
    ],
)
def test_subjects_in_the_dative(subject: str, dative: str) -> None:
    assert subject_dative(subject) == dative


def test_results_phrases() -> None:
    assert results_phrase("ВПР", "Математика", 5) == "ВПР по математике в 5 классе"
    assert results_phrase("ВПР", None, None) == "ВПР (все предметы)"
    assert results_phrase("ОГЭ", None, 9) == "ОГЭ в 9 классе (все предметы)"


def test_conditions_of_the_default_rules_are_worded() -> None:
    shnor = DEFAULT_RULES.rules[0]
    first = shnor.blocks[0].conditions[0]
    assert measure_text(first) == "Качество ОГЭ по математике"
    assert compare_text(first) == "разница с районным ≤"
    assert threshold_text(first) == f"{MINUS}15,0 п.п."
    assert block_text(shnor.blocks[0]) == "не менее 3 из 4 условий"
    assert threshold_text(Condition("distance_km", 40.0, ">=")) == "40 км"
    assert threshold_text(Condition("sek_index", 25.0)) == "25,0"
    assert threshold_text(Condition("quality", 5.0, ">=", "district_diff", "ОГЭ")) == "+5,0 п.п."
    assert block_text(Block((first, first), at_least=1)) == "любое из условий"
    assert block_text(Block((first, first))) == "все условия"


@pytest.mark.parametrize(
    ("issue", "text"),
    [
        (
            FieldIssue(
                "identification.rules", "share_range", "error", ((0, 0, 2), "threshold", 120.0)
            ),
            "Правило 1, блок 1, условие 3, порог: доля должна быть от 0 до 100 %",
        ),
        (
            FieldIssue(
                "identification.rules", "out_of_range", "error", ((1, 0), "at_least", 9, 1, 4)
            ),
            "Правило 2, блок 1, число условий: нужно целое число от 1 до 4",
        ),
        (
            FieldIssue("identification.rules", "rules_structure", "error", ((),)),
            "Правила записаны в неизвестном виде",
        ),
    ],
)
def test_refused_rules_are_worded_with_their_place(issue: FieldIssue, text: str) -> None:
    assert rules_issue_text(issue) == text
