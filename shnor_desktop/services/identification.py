"""The Russian wording of identification: facts as a coordinator writes them, and decisions.

A :class:`~shnor_desktop.models.identification.Fact` is figures; here it
becomes the line an annual report would carry: «качество ОГЭ по математике
18,2 % при районном 41,0 % (−22,8 п.п.), два года подряд», «индекс СЭК 23,0
при пороге 30,0», «расстояние до районного центра 48 км».  One decimal with a
comma, a real minus sign (U+2212) and the subject in the dative («по русскому
языку»).  The reason written to a passport on accepting a suggestion is its
facts joined.  The conditions of the rules are worded here too, for the
settings dialog, and so are the faults of a refused rule set.

Decisions (accept one, accept all, override) go through
:meth:`SchoolRepository.set_groups`, one change set each, so Правка → Отменить
takes a decision back and the passport's history shows it.  Nothing here
imports Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.fields import FieldIssue, InvalidValueError
from shnor_desktop.models.identification import (
    Block,
    Condition,
    Fact,
    Rule,
    Suggestion,
    measure_kind,
)
from shnor_desktop.models.schools import GROUP_LABELS, GroupDecision
from shnor_desktop.models.settings import SettingSpec
from shnor_desktop.models.text import format_number

MINUS: Final = "\u2212"

# The measure as the subject of a sentence: «качество ОГЭ по математике 18,2 %».
RESULT_LABELS: Final[Mapping[str, str]] = {
    "participation": "доля участников",
    "success": "успеваемость",
    "quality": "качество",
    "failed": "доля неудовлетворительных результатов",
    "mean_mark": "средняя отметка",
    "sou": "СОУ",
    "mean_score": "средний балл",
    "below_minimum": "доля не набравших минимальный балл",
    "vpr_lowered": "доля понизивших отметку",
    "vpr_confirmed": "доля подтвердивших отметку",
    "vpr_raised": "доля повысивших отметку",
}

# Passport measures: (label, unit shown after a value, decimals).
PASSPORT_LABELS: Final[Mapping[str, tuple[str, str, int]]] = {
    "sek_index": ("индекс СЭК", "", 1),
    "pct_low_income": ("доля детей из семей с доходом ниже прожиточного минимума", "%", 1),
    "pct_incomplete_families": ("доля детей из неполных семей и семей в СОП", "%", 1),
    "pct_other_language": ("доля детей с иным языком общения в семье", "%", 1),
    "pct_ovz": ("доля обучающихся с ОВЗ", "%", 1),
    "distance_km": ("расстояние до районного центра", "км", 0),
    "pupils_total": ("контингент", "чел.", 0),
    "pupils_bused": ("подвоз обучающихся", "чел.", 0),
    "vacancies": ("вакантных ставок", "", 0),
    "pct_teachers_65plus": ("доля педагогов 65 лет и старше", "%", 1),
    "pct_teachers_two_rates": ("доля педагогов с нагрузкой 2 и более ставок", "%", 1),
    "internet_mbps": ("скорость интернета", "Мбит/с", 1),
    "project_500": ("участие в проекте «500+»", "", 0),
    "needs_capital_repair": ("потребность в капитальном ремонте", "", 0),
}

# The grammatical gender of each label («качество снизилось», «доля снизилась»).
_GENDER: Final[Mapping[str, str]] = {"quality": "n", "mean_score": "m"}
_FELL: Final[Mapping[str, str]] = {"f": "снизилась", "n": "снизилось", "m": "снизился"}
_ROSE: Final[Mapping[str, str]] = {"f": "выросла", "n": "выросло", "m": "вырос"}

# Flags say what they are when set, nothing else.
FLAG_FACTS: Final[Mapping[str, str]] = {
    "project_500": "участник проекта «500+»",
    "needs_capital_repair": "требуется капитальный ремонт здания",
}

# Measures whose fact names no threshold: the figure speaks for itself.
WITHOUT_THRESHOLD: Final = frozenset({"distance_km"})

YEARS_IN_A_ROW: Final[Mapping[int, str]] = {
    2: "два года подряд",
    3: "три года подряд",
    4: "четыре года подряд",
    5: "пять лет подряд",
}

# Subjects whose dative is not formed by the endings below.
_DATIVE_EXCEPTIONS: Final[Mapping[str, str]] = {
    "мхк": "МХК",
    "окружающий мир": "окружающему миру",
    "изо": "ИЗО",
    "обж": "ОБЖ",
}

GROUP_NONE_REASON: Final = "По правилам отнесения условия ни одной группы не выполнены"
"""The reason written when the coordinator accepts «без группы»."""

OP_WORDS: Final[Mapping[str, str]] = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


# --- numbers ------------------------------------------------------------------------------
def number(value: float, decimals: int = 1) -> str:
    """A figure the Russian way with a real minus: −22,8; 1 539; 41,0."""
    text = format_number(abs(value), decimals)
    rounded_zero = round(abs(value), decimals) == 0
    return (MINUS + text) if value < 0 and not rounded_zero else text


def signed(value: float, decimals: int = 1) -> str:
    """A difference with its sign: +5,0, −22,8, 0,0."""
    if round(value, decimals) == 0:
        return format_number(0.0, decimals)
    return ("+" if value > 0 else MINUS) + format_number(abs(value), decimals)


def _unit_after(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


# --- subjects and procedures ------------------------------------------------------------------
def _dative_word(word: str, adjective: bool) -> str:
    if adjective:
        for ending, replacement in (("ий", "ому"), ("ый", "ому"), ("ой", "ому"), ("ая", "ой")):
            if word.endswith(ending):
                return word[: -len(ending)] + replacement
        return word
    for ending, replacement in (("ия", "ии"), ("ие", "ию"), ("а", "е"), ("я", "е"), ("ь", "и")):
        if word.endswith(ending):
            return word[: -len(ending)] + replacement
    if word[-1:] in "бвгджзклмнпрстфхцчшщ":
        return word + "у"
    return word


def subject_dative(subject: str) -> str:
    """«математика» → «математике», «русский язык» → «русскому языку» (after «по»)."""
    text = " ".join(subject.split())
    if text[1:2].islower():  # «Математика» as stored; «МХК» stays
        text = text[:1].lower() + text[1:]
    key = text.casefold()
    if key in _DATIVE_EXCEPTIONS:
        return _DATIVE_EXCEPTIONS[key]
    words = text.split(" ")
    if len(words) == 1:
        return _dative_word(words[0], adjective=False)
    # «русский язык», «английский язык», «родная литература»: adjectives, then the noun.
    *adjectives, noun = words
    if all(w[-2:] in ("ий", "ый", "ой", "ая") for w in adjectives):
        return " ".join([*(_dative_word(w, True) for w in adjectives), _dative_word(noun, False)])
    return f"«{text}»"


def results_phrase(procedure: str | None, subject: str | None, grade: int | None) -> str:
    """«ОГЭ по математике», «ВПР по русскому языку в 5 классе», «ВПР (все предметы)»."""
    text = procedure or ""
    if subject:
        text += f" по {subject_dative(subject)}"
    if grade is not None:
        text += f" в {grade} классе"
    if not subject:
        text += " (все предметы)"
    return text


def years_in_a_row(count: int) -> str:
    """«два года подряд» … («» for one year)."""
    return "" if count < 2 else YEARS_IN_A_ROW.get(count, f"{count} лет подряд")


# --- facts ------------------------------------------------------------------------------------
def _decimals_of(measure: str) -> int:
    """Shares and scores show one decimal; a mean mark two (3,45)."""
    return 2 if measure == "mean_mark" else 1


def _result_value(measure: str, value: float) -> str:
    text = number(value, _decimals_of(measure))
    return f"{text} %" if measure_kind(measure) == "share" else text


def _difference(measure: str, value: float) -> str:
    unit = " п.п." if measure_kind(measure) == "share" else ""
    return f"{signed(value, _decimals_of(measure))}{unit}"


def _ratio(value: float) -> str:
    if value < 1:
        return f"в {number(1 / value)} раза ниже районного"
    return f"в {number(value)} раза выше районного"


def _shown_difference(measure: str, after: float, before: float) -> str:
    """after − before as the text shows them: from the rounded figures.

    «54,5 % … 44,2 %» reads as −10,3 whatever the unrounded change; a
    difference of the rounded figures keeps the sentence true to itself and
    never crosses a threshold of one decimal the unrounded figures passed.
    """
    decimals = _decimals_of(measure)
    return _difference(measure, round(after, decimals) - round(before, decimals))


def fact_text(fact: Fact) -> str:
    """One fact as a coordinator writes it (no final full stop)."""
    if fact.procedure is None:
        return _passport_fact(fact)
    phrase = results_phrase(fact.procedure, fact.subject, fact.grade)
    subject = f"{RESULT_LABELS[fact.measure]} {phrase}"
    value = _result_value(fact.measure, fact.value)
    district = None if fact.district is None else _result_value(fact.measure, fact.district)
    if fact.compare == "district_diff" and fact.district is not None:
        shown = _shown_difference(fact.measure, fact.value, fact.district)
        text = f"{subject} {value} при районном {district} ({shown})"
    elif fact.compare == "district_ratio" and fact.district is not None and fact.difference:
        text = f"{subject} {value} при районном {district} ({_ratio(fact.difference)})"
    elif fact.compare == "change" and fact.difference is not None:
        before = fact.per_year[-1].previous
        gender = _GENDER.get(fact.measure, "f")
        verb = _FELL[gender] if fact.difference < 0 else _ROSE[gender]
        if before is None:
            text = f"{subject} {verb} за год до {value}"
        else:
            shown = _shown_difference(fact.measure, fact.value, before)
            was = _result_value(fact.measure, before)
            text = f"{subject} {verb} за год с {was} до {value} ({shown})"
    else:
        text = f"{subject} {value} при пороге {_result_value(fact.measure, fact.threshold)}"
    tail = years_in_a_row(len(fact.years))
    return f"{text}, {tail}" if tail else text


def _passport_fact(fact: Fact) -> str:
    if fact.measure in FLAG_FACTS:
        text = FLAG_FACTS[fact.measure]
    else:
        label, unit, decimals = PASSPORT_LABELS[fact.measure]
        value = _unit_after(number(fact.value, _decimals(fact.value, decimals)), unit)
        text = f"{label} {value}"
        if fact.measure not in WITHOUT_THRESHOLD:
            threshold = number(fact.threshold, _decimals(fact.threshold, decimals))
            text += f" при пороге {_unit_after(threshold, unit)}"
    tail = years_in_a_row(len(fact.years))
    return f"{text}, {tail}" if tail else text


def _decimals(value: float, decimals: int) -> int:
    """Whole kilometres and pupils show no decimals; a fraction of them shows one."""
    if decimals == 0 and not float(value).is_integer():
        return 1
    return decimals


def capitalised(text: str) -> str:
    """The text with its first letter in upper case (the rest as it is)."""
    return text[:1].upper() + text[1:]


def reason_text(suggestion: Suggestion) -> str:
    """The reason written to the passport on accepting a suggestion: its facts joined."""
    if suggestion.group == "none" or not suggestion.facts:
        return GROUP_NONE_REASON
    return capitalised("; ".join(fact_text(f) for f in suggestion.facts))


def group_label(code: str) -> str:
    """The group's Russian name («Зона риска (ШНСУ)»)."""
    return GROUP_LABELS.get(code, code)


# --- conditions and rules (the settings dialog) ------------------------------------------------
COMPARE_WORDS: Final[Mapping[str, str]] = {
    "absolute": "значение",
    "district_diff": "разница с районным",
    "district_ratio": "отношение к районному",
    "change": "изменение за год",
}


def measure_text(c: Condition) -> str:
    """What a condition measures: «Качество ОГЭ по математике», «Индекс СЭК»."""
    if c.is_result:
        return capitalised(
            f"{RESULT_LABELS[c.measure]} {results_phrase(c.procedure, c.subject, c.grade)}"
        )
    return capitalised(PASSPORT_LABELS[c.measure][0])


def compare_text(c: Condition) -> str:
    """How it is compared: «разница с районным ≤», «значение ≥»."""
    return f"{COMPARE_WORDS[c.compare]} {OP_WORDS[c.op]}"


def threshold_unit(c: Condition) -> str:
    """The unit of a condition's threshold: «п.п.», «%», «км», «раза» or «»."""
    if c.compare == "district_ratio":
        return ""
    if c.is_result:
        share = measure_kind(c.measure) == "share"
        if c.compare in ("district_diff", "change"):
            return "п.п." if share else ""
        return "%" if share else ""
    unit = PASSPORT_LABELS[c.measure][1]
    return "" if c.measure in FLAG_FACTS else unit


def threshold_text(c: Condition) -> str:
    """The threshold as shown: «−15,0 п.п.», «25,0 %», «40 км», «0,80»."""
    decimals = 2 if c.compare == "district_ratio" else 1
    if not c.is_result and c.measure in PASSPORT_LABELS:
        decimals = _decimals(c.threshold, PASSPORT_LABELS[c.measure][2])
    figure = number(c.threshold, decimals)
    if c.compare in ("district_diff", "change") and c.threshold > 0:
        figure = "+" + figure
    return _unit_after(figure, threshold_unit(c))


def block_text(block: Block) -> str:
    """«все условия», «любое из условий», «не менее 2 из 4 условий»."""
    count = len(block.conditions)
    if block.at_least is None or block.at_least == count:
        return "все условия" if count > 1 else "условие"
    if block.at_least == 1:
        return "любое из условий"
    return f"не менее {block.at_least} из {count} условий"


def rule_text(rule: Rule) -> str:
    """«ШНОР: Низкие результаты два года подряд»."""
    return f"{group_label(rule.group)}: {rule.title}" if rule.title else group_label(rule.group)


# --- faults of a rule set ---------------------------------------------------------------------
_KEY_WORDS: Final[Mapping[str, str]] = {
    "threshold": "порог",
    "years": "число лет подряд",
    "min_participants": "наименьшее число участников",
    "at_least": "число условий",
    "grade": "класс",
    "priority": "приоритет",
    "version": "версия правил",
    "results_offset": "год результатов",
}


def where_text(where: Sequence[int]) -> str:
    """«правило 2, условие 3» from a 0-based place of a refused value."""
    parts = []
    if len(where) >= 1:
        parts.append(f"правило {where[0] + 1}")
    if len(where) >= 2:  # noqa: PLR2004 (rule, block, condition)
        parts.append(f"блок {where[1] + 1}")
    if len(where) >= 3:  # noqa: PLR2004
        parts.append(f"условие {where[2] + 1}")
    return ", ".join(parts)


_THRESHOLD_ISSUES: Final[Mapping[str, str]] = {
    "share_range": "доля должна быть от 0 до 100 %",
    "difference_range": "разница долей должна быть от −100 до +100 п.п.",
    "ratio_positive": "отношение к районному должно быть больше 0",
    "negative": "значение не может быть отрицательным",
    "not_flag": "нужно 0 или 1",
    "not_number": "нужно число, например 26,8",
    "not_integer": "нужно целое число",
}


def threshold_issue_text(issue: FieldIssue) -> str:
    """What a refused value must be, without the place («доля должна быть от 0 до 100 %»)."""
    if issue.code in _THRESHOLD_ISSUES:
        return _THRESHOLD_ISSUES[issue.code]
    if issue.code == "out_of_range" and len(issue.args) >= 5:  # noqa: PLR2004 (where, key, n, low, high)
        low, high = issue.args[3], issue.args[4]
        return f"нужно целое число от {low} до {high}"
    return _structure_text(issue)


_STRUCTURE_ISSUES: Final[Mapping[str, str]] = {
    "unknown_procedure": "не указана оценочная процедура (ВПР, ОГЭ, ЕГЭ, ГВЭ или РПР)",
    "unknown_group": "неизвестная группа",
    "bad_compare": "показатель паспорта сравнивается только со своим порогом",
    "bad_op": "неизвестный знак сравнения",
    "bad_subject": "предмет указан пустым",
    "no_conditions": "в правиле нет условий",
    "passport_with_results": (
        "у показателя паспорта нет процедуры, предмета, класса и числа участников"
    ),
}


def _structure_text(issue: FieldIssue) -> str:
    name = issue.args[1] if len(issue.args) > 1 else ""
    if issue.code == "unknown_measure":
        return f"неизвестный показатель «{name}»"
    if issue.code == "rules_unknown_key":
        return f"неизвестный параметр «{name}»"
    return _STRUCTURE_ISSUES.get(issue.code, "правила записаны в неизвестном виде")


def rules_issue_text(issue: FieldIssue) -> str:
    """A refused rule set in one sentence: where, which value and why («Правило 1, …: …»)."""
    where = issue.args[0] if issue.args and isinstance(issue.args[0], tuple) else ()
    key = issue.args[1] if len(issue.args) > 1 and isinstance(issue.args[1], str) else ""
    place = where_text(where)
    what = _KEY_WORDS.get(key, "")
    head = ", ".join(p for p in (place, what) if p)
    text = threshold_issue_text(issue)
    return capitalised(f"{head}: {text}" if head else text)


# --- decisions --------------------------------------------------------------------------------
def accept(db: Database, suggestion: Suggestion, label: str) -> ChangeSetInfo | None:
    """Write the suggested group and its facts as the reason (one change set)."""
    return apply_decisions(db, suggestion.year, [suggestion], label)


def apply_decisions(
    db: Database, year: int, suggestions: Iterable[Suggestion], label: str
) -> ChangeSetInfo | None:
    """Accept several suggestions in one change set; None when nothing changed."""
    decisions = [
        GroupDecision(s.school_id, s.group, reason_text(s)) for s in suggestions if s.year == year
    ]
    if not decisions:
        return None
    return db.schools.set_groups(year, decisions, label)


def override(
    db: Database, school_id: int, year: int, *, group: str, reason: str, label: str
) -> ChangeSetInfo | None:
    """Set a group the coordinator chose, with the reason they gave (required)."""
    return db.schools.set_group(school_id, year, group, reason, label)


def pending(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """The suggestions «accept all» writes: a group that changes, or a group's reason.

    A school without a group that stays without one is left alone: writing
    «no rule held» into every ordinary school's passport would say nothing.
    """
    return [
        s
        for s in suggestions
        if s.differs or (s.group != "none" and reason_text(s) != s.current_reason.strip())
    ]


def save_settings(
    db: Database, values: Sequence[tuple[SettingSpec, Any]], label: str
) -> ChangeSetInfo | None:
    """Store several settings (pairs of spec and value) in one change set.

    Every value is checked before the set opens, so a refused one leaves the
    database as it was; None when nothing changed.  (Pairs, not a mapping:
    a spec whose default is a mapping cannot be a key.)
    """
    for spec, value in values:
        spec.normalised(value)  # raises InvalidValueError before anything is written
    with db.log.change_set(label) as cs:
        for spec, value in values:
            db.settings.set(spec, value, label)  # joins the open set
    return cs.info


__all__ = [
    "GROUP_NONE_REASON",
    "InvalidValueError",
    "accept",
    "apply_decisions",
    "block_text",
    "compare_text",
    "fact_text",
    "measure_text",
    "number",
    "override",
    "pending",
    "reason_text",
    "results_phrase",
    "rule_text",
    "rules_issue_text",
    "save_settings",
    "signed",
    "subject_dative",
    "threshold_issue_text",
    "threshold_text",
    "years_in_a_row",
]
