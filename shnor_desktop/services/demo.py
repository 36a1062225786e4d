"""The demo database, built from seed document 004 (Ивантеевский район, 2022/23).

The module has two halves:

* **Seed data** — plain module-level records that copy the figures of the
  working-group protocol of 03.07.2023 and the annual report exactly as the
  document gives them (even where the document contradicts itself, such as
  Бартеневка's 86 pupils that split into 36 + 48 + 1 = 85).
* **The builder** — :func:`build_demo` writes a new SQLite file in one change
  set of kind ``"demo"`` through :class:`~shnor_desktop.models.changelog.ChangeLog`,
  so the demo is recorded in the log and can be reverted like an import.

Figures the seed does not give but a school passport shows (teachers, pupils
bused, % pupils with ОВЗ, internet speed …) and the school years 2019, 2020,
2021 and 2023 are generated deterministically with :class:`random.Random` and a
fixed seed.  Every generated value is named in ``school_profile.generated_fields``
(a JSON list) and rows that carry no seed figure at all have ``source =
'generated'``, so real and generated figures never mix unseen.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from shnor_desktop.models.changelog import ChangeLog, ChangeSet
from shnor_desktop.models.db import open_database
from shnor_desktop.services import demo_events, demo_indicators, demo_risks, demo_roadmap

Figure = int | float

# ============================================================================
# Seed data (document 004).  Figures exactly as the seed gives them.
# ============================================================================

DEMO_LABEL: Final = "Демонстрационные данные"
SEED_YEAR: Final = 2022
"""The school year (2022/23) that the seed's school passports describe."""
GENERATED_YEARS: Final = (2019, 2020, 2021, 2023)
"""School years whose profiles are wholly generated around the seed year."""
RANDOM_SEED: Final = 4_2022
GENERATED_NOTE: Final = "сгенерировано для демонстрации"

PROGRAMME_TITLE: Final = (
    "Муниципальная программа по повышению качества образования в общеобразовательных "
    "учреждениях Ивантеевского района, имеющих низкие образовательные результаты"
)
OFFICE: Final = "Управление образованием администрации Ивантеевского муниципального района"


@dataclass(frozen=True)
class SeedDistrict:
    """The district and its office (seed 004, report introduction)."""

    name: str
    region: str
    office: str
    centre: str
    coordinator: str
    population: int
    notes: str


@dataclass(frozen=True)
class SeedDistrictYear:
    """District enrolment of one year, as the report writes it («в 2022 – 1567»)."""

    year: int
    pupils_total: int
    pupils_grade1: int
    pupils_grade9: int
    pupils_grade11: int
    pupils_bused: int | None = None
    buses: int | None = None


@dataclass(frozen=True)
class SeedProgramme:
    """The municipal programme and the order that approved it."""

    title: str
    start_year: int
    end_year: int
    order_number: str
    order_date: str
    approved_by: str


@dataclass(frozen=True)
class SeedSchool:
    """A school or branch as the seed names and places it.

    ``distance_km`` is the distance to the district centre when the seed gives
    it; ``distance_range`` is the range the seed gives instead (the value is
    then generated inside it and the fact is written into ``notes``).
    """

    code: str
    full_name: str
    short_name: str
    kind: str
    locality: str
    distance_km: float | None
    has_kindergarten: bool = False
    parent_code: str | None = None
    distance_range: tuple[int, int] | None = None
    notes: str = ""


@dataclass(frozen=True)
class SeedProfile:
    """The passport of a school for the seed year (2022/23).

    ``figures`` holds only the values the seed states; ``ranges`` the fields
    for which the seed gives a range for the whole group (the value is
    generated inside it).  Everything else is generated and listed.
    """

    code: str
    figures: Mapping[str, Figure]
    group_code: str = "none"
    group_reason: str = ""
    infrastructure_note: str = ""
    notes: str = ""
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class SeedRole:
    """A role of a person (``person_role.role``) with its wording."""

    role: str
    title: str


@dataclass(frozen=True)
class SeedPerson:
    """A member of the working group of the protocol of 03.07.2023."""

    key: str
    full_name: str
    position: str
    organisation: str
    roles: tuple[SeedRole, ...]


@dataclass(frozen=True)
class SeedAttendee:
    """One of those present, as the protocol lists them: «Гладилова О.А. – директор МУ РЦ»."""

    person_key: str
    role: str
    """The heading they are listed under (the capacity they attend in)."""
    post: str
    """The post as the protocol writes it."""


@dataclass(frozen=True)
class SeedMeeting:
    """A working-group protocol: its heading, chair, those present and one agenda item.

    Seed 004 names neither a place nor a secretary: the demo leaves both empty.
    """

    number: str
    meeting_date: str
    title: str
    chair_key: str
    chair_post: str
    attendees: tuple[SeedAttendee, ...]
    item_title: str
    heard: str
    decided: str
    unanimous: bool


DISTRICT: Final = SeedDistrict(
    name="Ивантеевский муниципальный район",
    region="Саратовская область",
    office=OFFICE,
    centre="с. Ивантеевка",
    coordinator="Астраханцева О.В.",
    population=12757,
    notes=(
        "Численность населения — по данным 2022 года. 9 общеобразовательных учреждений "
        "с 4 филиалами, 4 дошкольных учреждения, 2 учреждения дополнительного образования. "
        "Расстояние до областного центра 270 км, до Самары 150 км."
    ),
)

DISTRICT_YEARS: Final = (
    SeedDistrictYear(2021, 1535, 152, 142, 36),
    SeedDistrictYear(2022, 1567, 156, 174, 58),
    SeedDistrictYear(2023, 1539, 157, 147, 46, pupils_bused=256, buses=13),
)

PROGRAMME: Final = SeedProgramme(
    title=PROGRAMME_TITLE,
    start_year=2021,
    end_year=2023,
    order_number="15",
    order_date="2021-01-21",
    approved_by=OFFICE,
)

_PREVENTION_DISTANCE_NOTE = (
    "Расстояние сгенерировано: источник даёт для группы только диапазон «от 40 до 65 км»."
)

SCHOOLS: Final = (
    SeedSchool(
        "01",
        "МОУ «СОШ с. Бартеневка им. П.Е. Толстова»",
        "СОШ с. Бартеневка",
        "СОШ",
        "с. Бартеневка",
        18,
        has_kindergarten=True,
    ),
    SeedSchool("02", "МОУ «СОШ п. Знаменский»", "СОШ п. Знаменский", "СОШ", "п. Знаменский", 9),
    SeedSchool(
        "03",
        "МОУ «СОШ с. Ивановка»",
        "СОШ с. Ивановка",
        "СОШ",
        "с. Ивановка",
        16,
        has_kindergarten=True,
    ),
    SeedSchool(
        "04",
        "МОУ «ООШ с. Арбузовка»",
        "ООШ с. Арбузовка",
        "ООШ",
        "с. Арбузовка",
        3,
        has_kindergarten=True,
    ),
    SeedSchool(
        "05",
        "МОУ «СОШ с. Яблоновый Гай»",
        "СОШ с. Яблоновый Гай",
        "СОШ",
        "с. Яблоновый Гай",
        None,
        has_kindergarten=True,
        distance_range=(40, 65),
        notes=_PREVENTION_DISTANCE_NOTE,
    ),
    SeedSchool(
        "06",
        "МОУ «ООШ с. Клевенка»",
        "ООШ с. Клевенка",
        "ООШ",
        "с. Клевенка",
        None,
        has_kindergarten=True,
        distance_range=(40, 65),
        notes=_PREVENTION_DISTANCE_NOTE,
    ),
    SeedSchool(
        "07",
        "МОУ «ООШ с. Канаевка им. С.П. Жаркова»",
        "ООШ с. Канаевка",
        "ООШ",
        "с. Канаевка",
        None,
        has_kindergarten=True,
        distance_range=(40, 65),
        notes=_PREVENTION_DISTANCE_NOTE,
    ),
    SeedSchool(
        "08",
        "МОУ «Гимназия с. Ивантеевка»",
        "Гимназия с. Ивантеевка",
        "гимназия",
        "с. Ивантеевка",
        0,
    ),
    SeedSchool(
        "09",
        "МОУ «СОШ с. Ивантеевка им. И.Ф. Дрёмова»",
        "СОШ с. Ивантеевка",
        "СОШ",
        "с. Ивантеевка",
        0,
    ),
    SeedSchool(
        "02-1",
        "Филиал МОУ «СОШ п. Знаменский» в с. Николаевка",
        "Филиал в с. Николаевка",
        "филиал",
        "с. Николаевка",
        None,
        parent_code="02",
        notes=(
            "Расстояние до районного центра в источнике не указано; "
            "источник даёт 15 км от с. Николаевка до п. Знаменский."
        ),
    ),
    SeedSchool(
        "08-1",
        "Филиал МОУ «Гимназия с. Ивантеевка» в с. Раевка",
        "Филиал в с. Раевка",
        "филиал",
        "с. Раевка",
        14,
        parent_code="08",
    ),
    SeedSchool(
        "09-1",
        "Филиал МОУ «СОШ с. Ивантеевка им. И.Ф. Дрёмова» в с. Чернава",
        "Филиал в с. Чернава",
        "филиал",
        "с. Чернава",
        12,
        parent_code="09",
    ),
    SeedSchool(
        "09-2",
        "Филиал МОУ «СОШ с. Ивантеевка им. И.Ф. Дрёмова» в п. Восточный",
        "Филиал в п. Восточный",
        "филиал",
        "п. Восточный",
        22,
        parent_code="09",
    ),
)

_RISK_REASON = (
    "Нестабильность качества знаний обучающихся по ряду предметов по результатам ГИА, ВПР"
)
_PREVENTION_REASON = (
    "Учитывая результаты ГИА, ВПР, РПР: малокомплектная школа, низкая мотивация обучающихся "
    "к обучению"
)
_LEADER_REASON = (
    "Школа с высокими результатами обучения; в течение учебного года оказывала методическую "
    "поддержку и являлась «наставником» для остальных школ района по вопросам ВСОКО, "
    "объективности оценочных процедур, методики преподавания предметов"
)
_PREVENTION_RANGES: Mapping[str, tuple[float, float]] = {
    "pct_incomplete_families": (28.0, 30.0),
    "pct_low_income": (40.0, 70.0),
    "sek_index": (5.0, 10.0),
    "pct_teachers_65plus": (0.1, 8.3),
}
_PREVENTION_NOTE = (
    "Источник даёт для группы только диапазоны (неполные семьи 28–30 %, доход ниже "
    "прожиточного минимума 40–70 %, СЭК 5–10 %, педагоги 65+ 0,1–8,3 %) и общий контингент: "
    "значения и распределение по ступеням сгенерированы."
)
_LEVEL_FROM_TOTAL = "10–11 классы: 0 (в источнике не указано; следует из итога)."

PROFILES: Final = (
    SeedProfile(
        "01",
        {
            "pupils_total": 86,
            "pupils_1_4": 36,
            "pupils_5_9": 48,
            "pupils_10_11": 1,
            "vacancies": 1,
            "pct_teachers_65plus": 10.5,
            "pct_teachers_two_rates": 0.06,
            "pct_incomplete_families": 22,
            "pct_low_income": 11,
            "pct_other_language": 0.03,
            "sek_index": 19,
            "needs_capital_repair": 0,
            "tochka_rosta": 1,
            "project_500": 1,
        },
        group_code="shnor",
        group_reason=(
            "По результатам основного периода ОГЭ неудовлетворительные результаты по "
            "информатике, обществознанию и математике (по 1 чел.); в 2022 году школа "
            "находилась в группе школ с низкими образовательными результатами и была "
            "участником проекта «500+»"
        ),
        infrastructure_note=(
            "Инфраструктурных дефицитов нет. В 2023 году здание капитально отремонтировано "
            "по ГП РФ «Развитие образования»."
        ),
        notes=(
            "Итог 86 чел. — как в источнике; по ступеням 36 + 48 + 1 (10 класс) = 85: "
            "расхождение в источнике сохранено. Вакантная ставка учителя начальной школы. "
            "Точка роста создана в 2022 году. Индекс СЭК в источнике назван «СЭЖ»."
        ),
    ),
    SeedProfile(
        "02",
        {
            "pupils_total": 170,
            "pupils_1_4": 83,
            "pupils_5_9": 76,
            "pupils_10_11": 11,
            "pct_teachers_65plus": 12.5,
            "pct_incomplete_families": 21,
            "pct_low_income": 32,
            "pct_other_language": 5.5,
            "sek_index": 21,
            "needs_capital_repair": 0,
            "tochka_rosta": 1,
            "tsos": 1,
            "project_500": 1,
        },
        group_code="risk",
        group_reason=f"{_RISK_REASON}; участие в проекте «500+» в 2022 году",
        infrastructure_note=(
            "Инфраструктурных дефицитов нет. В 2022 году капитально отремонтировано здание "
            "по ГП РФ «Развитие образования»."
        ),
        notes=(
            "Рост числа детей из семей граждан Таджикистана (2021 год — 6 семей, 2022 год — "
            "10 семей). Точка роста создана в 2022 году; оборудование ЦОС поступило в 2023 году."
        ),
    ),
    SeedProfile(
        "03",
        {
            "pupils_total": 85,
            "pupils_1_4": 36,
            "pupils_5_9": 45,
            "pupils_10_11": 4,
            "pct_teachers_65plus": 5,
            "pct_incomplete_families": 2.5,
            "pct_low_income": 25,
            "pct_other_language": 0.8,
            "sek_index": 12,
            "needs_capital_repair": 0,
            "tochka_rosta": 1,
            "tsos": 1,
            "project_500": 0,
        },
        group_code="risk",
        group_reason=f"{_RISK_REASON}; участие в проекте «500+» в 2021 году",
        infrastructure_note=(
            "Инфраструктурных дефицитов нет. В 2022 году произведён ремонт спортивного зала, "
            "замена оконных блоков."
        ),
        notes=(
            "Рост числа детей из семей граждан Таджикистана. Точка роста создана в 2022 году; "
            "оборудование ЦОС поставлено в 2023 году. В 2023 году начата реорганизация: "
            "присоединение к МОУ «Гимназия с. Ивантеевка» в качестве филиала."
        ),
    ),
    SeedProfile(
        "04",
        {
            "pupils_total": 68,
            "pupils_1_4": 27,
            "pupils_5_9": 41,
            "pupils_10_11": 0,
            "pct_teachers_65plus": 0.1,
            "pct_incomplete_families": 23,
            "pct_low_income": 41,
            "pct_other_language": 0,
            "sek_index": 5,
            "needs_capital_repair": 1,
        },
        group_code="risk",
        group_reason=_RISK_REASON,
        infrastructure_note=(
            "Потребность в капитальном ремонте здания; учреждение внесено в план на 2024 год "
            "по ГП РФ «Развитие образования»."
        ),
        notes=_LEVEL_FROM_TOTAL,
    ),
    SeedProfile(
        "05",
        {"pupils_total": 91, "tochka_rosta": 1},
        group_code="prevention",
        group_reason=_PREVENTION_REASON,
        notes=_PREVENTION_NOTE + " Точка роста естественно-научной направленности.",
        ranges=_PREVENTION_RANGES,
    ),
    SeedProfile(
        "06",
        {"pupils_total": 38, "tochka_rosta": 0},
        group_code="prevention",
        group_reason=_PREVENTION_REASON,
        infrastructure_note=(
            "Отсутствие устойчивой интернет-связи, недостаточная скорость для использования "
            "современных цифровых образовательных ресурсов."
        ),
        notes=_PREVENTION_NOTE
        + " В 2023 году начата реорганизация: присоединение к МОУ «СОШ с. Яблоновый Гай» "
        "в качестве филиала.",
        ranges=_PREVENTION_RANGES,
    ),
    SeedProfile(
        "07",
        {"pupils_total": 30, "tochka_rosta": 1},
        group_code="prevention",
        group_reason=_PREVENTION_REASON,
        notes=_PREVENTION_NOTE + " Точка роста естественно-научной направленности.",
        ranges=_PREVENTION_RANGES,
    ),
    SeedProfile(
        "08",
        {
            "pupils_total": 368,
            "pupils_1_4": 128,
            "pupils_5_9": 203,
            "pupils_10_11": 37,
            "vacancies": 0,
            "pct_teachers_65plus": 2.5,
            "pct_incomplete_families": 18,
            "pct_low_income": 14,
            "pct_other_language": 0.08,
            "sek_index": 32,
            "needs_capital_repair": 1,
            "tochka_rosta": 1,
            "tsos": 1,
        },
        group_code="leader",
        group_reason=_LEADER_REASON,
        infrastructure_note=(
            "Потребность в капитальном ремонте здания Гимназии; учреждение внесено в план "
            "на 2025 год по ГП РФ «Развитие образования»."
        ),
        notes=(
            "По программе «Земский учитель» в 2023 году прибыл учитель информатики: "
            "имевшаяся вакансия учителя информатики закрыта."
        ),
    ),
    SeedProfile(
        "09",
        {
            "pupils_total": 467,
            "pupils_1_4": 191,
            "pupils_5_9": 247,
            "pupils_10_11": 29,
            "vacancies": 1,
            "pct_teachers_65plus": 0.4,
            "pct_incomplete_families": 19,
            "pct_low_income": 15,
            "sek_index": 33,
            "needs_capital_repair": 0,
            "tochka_rosta": 1,
            "tsos": 1,
        },
        group_code="leader",
        group_reason=_LEADER_REASON,
        infrastructure_note=(
            "Инфраструктурных дефицитов нет. Капитальный ремонт в 2022 году "
            "по ГП РФ «Развитие образования»."
        ),
        notes="Вакантная ставка учителя математики.",
    ),
    SeedProfile(
        "02-1",
        {"pupils_total": 40, "pupils_1_4": 19, "pupils_5_9": 21, "pupils_10_11": 0},
        infrastructure_note=(
            "В 2021 году проходил ремонт спортивного зала, заменены оконные блоки."
        ),
        notes="Рост числа детей из семей граждан Таджикистана.",
    ),
    SeedProfile(
        "08-1",
        {"pupils_total": 62, "pupils_1_4": 32, "pupils_5_9": 30, "pupils_10_11": 0},
        notes=_LEVEL_FROM_TOTAL,
    ),
    SeedProfile(
        "09-1",
        {"pupils_total": 30, "pupils_1_4": 16, "pupils_5_9": 14, "pupils_10_11": 0},
        notes=_LEVEL_FROM_TOTAL,
    ),
    SeedProfile(
        "09-2",
        {"pupils_total": 16, "pupils_1_4": 5, "pupils_5_9": 11, "pupils_10_11": 0},
        notes=_LEVEL_FROM_TOTAL,
    ),
)

_TUTOR = "Тьютор-консультант"

PEOPLE: Final = (
    SeedPerson(
        "astrakhantseva",
        "Астраханцева О.В.",
        "муниципальный координатор",
        OFFICE,
        (
            SeedRole("coordinator", "муниципальный координатор"),
            SeedRole("working_group", "председатель рабочей группы"),
        ),
    ),
    SeedPerson(
        "gladilova",
        "Гладилова О.А.",
        "директор МУ РЦ",
        "МУ РЦ",
        (SeedRole("tutor", _TUTOR), SeedRole("working_group", "директор МУ РЦ")),
    ),
    SeedPerson(
        "mazaleva",
        "Мазалева О.С.",
        "методист МУРЦ, муниципальный координатор ЕГЭ",
        "МУ РЦ",
        (
            SeedRole("tutor", _TUTOR),
            SeedRole("working_group", "методист МУРЦ, муниципальный координатор ЕГЭ"),
        ),
    ),
    SeedPerson(
        "tyurkina",
        "Тюркина И.П.",
        "методист МУРЦ, муниципальный координатор ОГЭ",
        "МУ РЦ",
        (
            SeedRole("tutor", _TUTOR),
            SeedRole("working_group", "методист МУРЦ, муниципальный координатор ОГЭ"),
        ),
    ),
    SeedPerson(
        "kochneva",
        "Кочнева О.А.",
        "руководитель РМО учителей русского языка и литературы",
        "",
        (
            SeedRole("head_rmo", "руководитель РМО учителей русского языка и литературы"),
            SeedRole("working_group", _TUTOR),
        ),
    ),
    SeedPerson(
        "babukhina",
        "Бабухина Т.А.",
        "руководитель РМО учителей математики",
        "",
        (
            SeedRole("head_rmo", "руководитель РМО учителей математики"),
            SeedRole("working_group", _TUTOR),
        ),
    ),
    SeedPerson(
        "lobanova",
        "Лобанова Н.В.",
        "руководитель РМО учителей начальных классов",
        "",
        (
            SeedRole("head_rmo", "руководитель РМО учителей начальных классов"),
            SeedRole("working_group", _TUTOR),
        ),
    ),
)

_AGENDA_SUBJECT = (
    "О выполнении мероприятий Дорожной карты по повышению качества образования школ, "
    "имеющих низкие образовательные результаты и/или школ, функционирующих в "
    "неблагоприятных социальных условиях, Муниципальной программы по повышению качества "
    "образования в общеобразовательных учреждениях Ивантеевского района, имеющих низкие "
    "образовательные результаты на 2021-2023 г.г. за 2022-2023 учебный год, утвержденной "
    "приказом управления образования Ивантеевского района Саратовской области от "
    "21.01.2021г.№15"
)

MEETING: Final = SeedMeeting(
    number="1",
    meeting_date="2023-07-03",
    # The protocol's heading as the seed writes it (genitive: «[Протокол] заседания …»).
    title=(
        "Заседания рабочей группы муниципальной команды по сопровождению реализации адресной "
        "программы поддержки общеобразовательных организаций, имеющих низкие образовательные "
        "результаты обучающихся и/или школ, функционирующих в неблагоприятных социальных "
        "условиях"
    ),
    chair_key="astrakhantseva",
    chair_post="муниципальный координатор",
    # «Присутствовали: Тьютор-консультант:» and then each with the post the protocol gives.
    attendees=(
        SeedAttendee("gladilova", _TUTOR, "директор МУ РЦ"),
        SeedAttendee("mazaleva", _TUTOR, "методист МУРЦ, муниципальный координатор ЕГЭ"),
        SeedAttendee("tyurkina", _TUTOR, "методист МУРЦ, муниципальный координатор ОГЭ"),
        SeedAttendee("kochneva", _TUTOR, "руководитель РМО учителей русского языка и литературы"),
        SeedAttendee("babukhina", _TUTOR, "руководитель РМО учителей математики"),
        SeedAttendee("lobanova", _TUTOR, "руководитель РМО учителей начальных классов"),
    ),
    item_title=f"{_AGENDA_SUBJECT}. с изменениями и дополнениями от 2022 года.",
    heard=(
        "муниципального координатора Астраханцеву О.В., по вопросу "
        f"«{_AGENDA_SUBJECT}», с изменениями и дополнениями от 2022 года."
    ),
    decided="\n".join(
        (
            "1. Информацию принять к сведению.",
            "2. Разместить на сайте Управления образованием Ивантеевского района «Отчет о "
            "выполнении мероприятий Дорожной карты по повышению качества образования школ, "
            "имеющих низкие образовательные результаты и/или школ, функционирующих в "
            "неблагоприятных социальных условиях, Муниципальной программы по повышению "
            "качества образования в общеобразовательных учреждениях Ивантеевского района, "
            "имеющих низкие образовательные результаты на 2021-2023 г.г. за 2022-2023 учебный "
            "год, утвержденной приказом управления образования Ивантеевского района "
            "Саратовской области от 21.01.2021г.№15 с изменениями и дополнениями от 2022 "
            "года. (Приложение 1).",
            "3. Руководителям образовательных организаций Ивантеевского района обеспечить "
            "выполнение плана мероприятий Дорожной карты по повышению качества образования "
            "школ, имеющих низкие образовательные результаты и/или школ, функционирующих в "
            "неблагоприятных социальных условиях, Муниципальной программы по повышению "
            "качества образования в общеобразовательных учреждениях Ивантеевского района, "
            "имеющих низкие образовательные результаты в 2023-2024 учебном году "
            "(Приложение 2).",
        )
    ),
    unanimous=True,  # «Голосовали единогласно.»
)

MENTOR_CODES: Final = ("08", "09")
"""The leader schools, mentors («наставники») of the other schools, assigned in turn."""
CURATOR_KEYS: Final = ("gladilova", "mazaleva", "tyurkina")
"""Tutors of the working group assigned in turn as curators of the supported schools."""

# Fields of a profile that hold figures or yes/no facts (provenance is tracked for these).
FIGURE_FIELDS: Final = (
    "pupils_total",
    "pupils_1_4",
    "pupils_5_9",
    "pupils_10_11",
    "pupils_bused",
    "teachers",
    "vacancies",
    "pct_teachers_65plus",
    "pct_teachers_two_rates",
    "pct_incomplete_families",
    "pct_low_income",
    "pct_other_language",
    "sek_index",
    "pct_ovz",
    "internet_mbps",
    "needs_capital_repair",
    "tochka_rosta",
    "tsos",
    "project_500",
)
_SHARE_FIELDS: Final = (
    "pct_teachers_65plus",
    "pct_teachers_two_rates",
    "pct_incomplete_families",
    "pct_low_income",
    "pct_other_language",
    "sek_index",
    "pct_ovz",
)
_LEVEL_FIELDS: Final = ("pupils_1_4", "pupils_5_9", "pupils_10_11")
_FLAG_FIELDS: Final = ("needs_capital_repair", "tochka_rosta", "tsos", "project_500")

# Facts of other years that the seed states; the generated years respect them.
# (code, year) -> {field: value}; the values are still listed as generated.
_YEAR_HINTS: Final[Mapping[tuple[str, int], Mapping[str, Figure]]] = {
    ("03", 2021): {"project_500": 1},  # «МОУ «СОШ с. Ивановка» в 2021 году в проекте «500+»»
    # «участница проекта «500+» 2021-2022 года»; the building was repaired only in 2023
    ("01", 2021): {"project_500": 1, "needs_capital_repair": 1},
    ("08", 2021): {"vacancies": 1},  # the informatics vacancy closed in 2023
    ("02", 2021): {"needs_capital_repair": 1},  # repaired in 2022
    ("09", 2021): {"needs_capital_repair": 1},  # repaired in 2022
}
_TOCHKA_SINCE: Final[Mapping[str, int]] = {"01": 2022, "02": 2022, "03": 2022}
_TSOS_SINCE: Final[Mapping[str, int]] = {"02": 2022, "03": 2022}


# ============================================================================
# The builder.
# ============================================================================


class DemoCancelled(Exception):
    """The demo build was cancelled; no file was left behind."""


ProgressCallback = Callable[[int, int], None]
CancelCallback = Callable[[], bool]
Profile = dict[str, object]


class _Steps:
    """Counts the units of work, reports progress and honours cancel."""

    def __init__(
        self, total: int, progress: ProgressCallback | None, cancel: CancelCallback | None
    ) -> None:
        self.total = total
        self.done = 0
        self._progress = progress
        self._cancel = cancel

    def check(self) -> None:
        """Raise :class:`DemoCancelled` when the caller asked to stop."""
        if self._cancel is not None and self._cancel():
            raise DemoCancelled

    def tick(self) -> None:
        """Finish one unit: check cancel, then report progress."""
        self.check()
        self.done = min(self.done + 1, self.total)
        if self._progress is not None:
            self._progress(self.done, self.total)


def _work_units() -> int:
    """The number of progress steps of a build."""
    years = 1 + len(GENERATED_YEARS)
    events_and_risks = 2
    rest = 1 + 1 + 1 + 1 + events_and_risks
    return 1 + len(DISTRICT_YEARS) + 1 + len(PEOPLE) + len(SCHOOLS) * (1 + years) + rest


def _remove_database(path: Path) -> None:
    """Delete a database file with its WAL, shared-memory and journal files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def build_demo(
    path: Path,
    progress: ProgressCallback | None = None,
    cancel: CancelCallback | None = None,
) -> None:
    """Create a new demo database at ``path`` from seed document 004.

    The whole content is written in one change set of kind ``"demo"``.  The
    database is built beside ``path`` under a temporary name and moved into
    place only when complete, so a failure or a cancel leaves no file.

    Raises :class:`FileExistsError` when ``path`` exists and is not empty, and
    :class:`DemoCancelled` when ``cancel()`` returned true.
    """
    path = Path(path)
    if path.exists() and (path.is_dir() or path.stat().st_size > 0):
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    _remove_database(partial)
    steps = _Steps(_work_units(), progress, cancel)
    try:
        steps.check()
        conn = open_database(partial)
        try:
            log = ChangeLog(conn)
            with log.change_set(DEMO_LABEL, kind="demo") as cs:
                _fill(cs, steps)
        finally:
            conn.close()
        partial.replace(path)  # closed cleanly: the WAL was checkpointed and removed
    except BaseException:
        _remove_database(partial)
        raise


def _fill(cs: ChangeSet, steps: _Steps) -> None:
    """Write the seed data and the generated profiles into the open change set."""
    district_id = cs.insert(
        "district",
        {
            "name": DISTRICT.name,
            "region": DISTRICT.region,
            "office": DISTRICT.office,
            "centre": DISTRICT.centre,
            "coordinator": DISTRICT.coordinator,
            "population": DISTRICT.population,
            "notes": DISTRICT.notes,
        },
    )
    steps.tick()
    for dy in DISTRICT_YEARS:
        cs.insert(
            "district_year",
            {
                "district_id": district_id,
                "year": dy.year,
                "pupils_total": dy.pupils_total,
                "pupils_grade1": dy.pupils_grade1,
                "pupils_grade9": dy.pupils_grade9,
                "pupils_grade11": dy.pupils_grade11,
                "pupils_bused": dy.pupils_bused,
                "buses": dy.buses,
                "source": "seed",
            },
        )
        steps.tick()
    programme_id = cs.insert(
        "programme",
        {
            "district_id": district_id,
            "title": PROGRAMME.title,
            "start_year": PROGRAMME.start_year,
            "end_year": PROGRAMME.end_year,
            "order_number": PROGRAMME.order_number,
            "order_date": PROGRAMME.order_date,
            "approved_by": PROGRAMME.approved_by,
        },
    )
    steps.tick()
    person_ids = _insert_people(cs, steps, programme_id)
    rng = random.Random(RANDOM_SEED)
    school_ids = _insert_schools(cs, steps, rng)
    _insert_profiles(cs, steps, rng, school_ids, person_ids)
    from shnor_desktop.services.demo_results import insert_demo_results  # it imports this module

    insert_demo_results(cs, school_ids)
    steps.tick()
    from shnor_desktop.services.demo_journal import insert_journal  # it imports this module

    insert_journal(cs, school_ids, person_ids)
    demo_indicators.insert_indicators(cs, programme_id, school_ids, steps.tick)
    demo_roadmap.insert_roadmap(cs, district_id, school_ids, steps.tick)
    demo_events.insert_demo_events(cs, steps.tick)
    demo_risks.insert_demo_risks(cs, school_ids, steps.tick)
    _insert_meeting(cs, programme_id, person_ids)
    steps.tick()


def _insert_people(cs: ChangeSet, steps: _Steps, programme_id: int) -> dict[str, int]:
    """Insert the working group with its roles; return person ids by key."""
    ids: dict[str, int] = {}
    for person in PEOPLE:
        pid = cs.insert(
            "person",
            {
                "full_name": person.full_name,
                "position": person.position,
                "organisation": person.organisation,
            },
        )
        ids[person.key] = pid
        for role in person.roles:
            cs.insert(
                "person_role",
                {
                    "person_id": pid,
                    "role": role.role,
                    "programme_id": programme_id,
                    "title": role.title,
                },
            )
        steps.tick()
    return ids


def _insert_schools(cs: ChangeSet, steps: _Steps, rng: random.Random) -> dict[str, int]:
    """Insert the schools, then their branches; return school ids by code."""
    ids: dict[str, int] = {}
    for school in SCHOOLS:
        distance = school.distance_km
        if distance is None and school.distance_range is not None:
            distance = float(rng.randint(*school.distance_range))
        ids[school.code] = cs.insert(
            "school",
            {
                "code": school.code,
                "full_name": school.full_name,
                "short_name": school.short_name,
                "kind": school.kind,
                "parent_id": None if school.parent_code is None else ids[school.parent_code],
                "locality": school.locality,
                "distance_km": distance,
                "has_kindergarten": int(school.has_kindergarten),
                "notes": school.notes,
            },
        )
        steps.tick()
    return ids


def _assignments(
    person_ids: Mapping[str, int], school_ids: Mapping[str, int]
) -> dict[str, Profile]:
    """Mentor school and curator of each supported top-level school, in turn."""
    result: dict[str, Profile] = {}
    supported = [
        p.code for p in PROFILES if p.group_code not in ("leader", "none")
    ]  # the seed's order
    for i, code in enumerate(supported):
        result[code] = {
            "mentor_school_id": school_ids[MENTOR_CODES[i % len(MENTOR_CODES)]],
            "curator_id": person_ids[CURATOR_KEYS[i % len(CURATOR_KEYS)]],
        }
    return result


def _insert_profiles(
    cs: ChangeSet,
    steps: _Steps,
    rng: random.Random,
    school_ids: Mapping[str, int],
    person_ids: Mapping[str, int],
) -> None:
    """Insert the seed-year profile and the generated years of every school."""
    assignments = _assignments(person_ids, school_ids)
    schools = {s.code: s for s in SCHOOLS}
    for seed in PROFILES:
        school = schools[seed.code]
        base, generated = seed_year_profile(seed, school, rng)
        extra = assignments.get(seed.code, {})
        row: Profile = {
            "school_id": school_ids[seed.code],
            "year": SEED_YEAR,
            **base,
            **extra,
            "group_code": seed.group_code,
            "group_reason": seed.group_reason,
            "infrastructure_note": seed.infrastructure_note,
            "notes": seed.notes,
            "source": "seed",
            "generated_fields": _field_list([*generated, *extra]),
        }
        cs.insert("school_profile", row)
        steps.tick()
        drifted = generated_years(base, seed.code, rng)
        for year in GENERATED_YEARS:
            figures = drifted[year]
            repeat_group = year in (SEED_YEAR - 1, SEED_YEAR + 1) and seed.group_code != "none"
            links = extra if repeat_group else {}
            generated_row: Profile = {
                "school_id": school_ids[seed.code],
                "year": year,
                **figures,
                **links,
                "group_code": seed.group_code if repeat_group else "none",
                "group_reason": GENERATED_NOTE if repeat_group else "",
                "infrastructure_note": "",
                "notes": "Паспорт сгенерирован для демонстрации.",
                "source": "generated",
                "generated_fields": _field_list(
                    [
                        *FIGURE_FIELDS,
                        *(["group_code", "group_reason"] if repeat_group else []),
                        *links,
                    ]
                ),
            }
            cs.insert("school_profile", generated_row)
            steps.tick()


def _field_list(fields: list[str]) -> str:
    """JSON list of field names in the order of the table, without repeats."""
    order = {name: i for i, name in enumerate(FIGURE_FIELDS)}
    unique = sorted(set(fields), key=lambda f: (order.get(f, len(order)), f))
    return json.dumps(unique, ensure_ascii=False)


def _clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    """Keep a share within 0–100."""
    return max(low, min(high, value))


def _split_levels(total: int, kind: str, rng: random.Random) -> dict[str, int]:
    """Split a total into 1–4 / 5–9 / 10–11 plausibly; the parts sum to the total."""
    senior = 0 if kind in ("ООШ", "филиал") else max(1, round(total * rng.uniform(0.05, 0.10)))
    primary = round((total - senior) * rng.uniform(0.40, 0.48))
    return {"pupils_1_4": primary, "pupils_5_9": total - senior - primary, "pupils_10_11": senior}


def seed_year_profile(
    seed: SeedProfile, school: SeedSchool, rng: random.Random
) -> tuple[dict[str, Figure], list[str]]:
    """Return the figures of the seed year and the names of the generated ones.

    Seed figures are copied unchanged; range fields are drawn inside the
    seed's range; the rest is generated plausibly for a small rural school.
    """
    values: dict[str, Figure] = dict(seed.figures)
    generated: list[str] = []

    def put(name: str, value: Figure) -> None:
        if name not in values:
            values[name] = value
            generated.append(name)

    total = int(values["pupils_total"])
    if not all(level in values for level in _LEVEL_FIELDS):
        for name, value in _split_levels(total, school.kind, rng).items():
            put(name, value)
    for name, (low, high) in seed.ranges.items():
        put(name, round(rng.uniform(low, high), 1))
    in_centre = school.distance_km == 0
    bused_share = rng.uniform(0.05, 0.15) if in_centre else rng.uniform(0.15, 0.40)
    put("pupils_bused", round(total * bused_share))
    put("teachers", max(5, round(total / rng.uniform(7.0, 11.0))))
    put("vacancies", 0)
    put("pct_teachers_65plus", round(rng.uniform(0.0, 10.0), 1))
    put("pct_teachers_two_rates", round(rng.uniform(0.0, 12.0), 1))
    put("pct_incomplete_families", round(rng.uniform(12.0, 26.0), 1))
    put("pct_low_income", round(rng.uniform(10.0, 35.0), 1))
    put("pct_other_language", round(rng.uniform(0.0, 2.0), 1))
    put("sek_index", round(rng.uniform(8.0, 25.0), 1))
    put("pct_ovz", round(rng.uniform(2.0, 9.0), 1))
    if seed.code == "06":  # «отсутствие устойчивой интернет-связи»
        put("internet_mbps", round(rng.uniform(0.5, 1.5), 1))
    else:
        put("internet_mbps", float(rng.choice((10, 20, 30, 50, 100))))
    put("needs_capital_repair", 0)
    put("tochka_rosta", 0)
    put("tsos", 0)
    put("project_500", 0)
    return values, generated


def generated_years(
    base: Mapping[str, Figure], code: str, rng: random.Random
) -> dict[int, dict[str, Figure]]:
    """Return wholly generated figures of every year of :data:`GENERATED_YEARS`.

    Each year drifts one step from its neighbour nearer the seed year (a random
    walk backwards from 2022 and forwards to 2023), so enrolment over the years
    draws a plausible line.
    """
    result: dict[int, dict[str, Figure]] = {}
    for direction in (-1, 1):
        previous: Mapping[str, Figure] = base
        year = SEED_YEAR + direction
        while year in GENERATED_YEARS:
            previous = result[year] = drift_profile(previous, code, year, rng)
            year += direction
    return result


def drift_profile(
    previous: Mapping[str, Figure], code: str, year: int, rng: random.Random
) -> dict[str, Figure]:
    """Return generated figures of ``year``, one year's drift from ``previous``.

    Enrolment changes by up to ±5 %, shares by up to ±2.5 points (clamped to
    0–100); yes/no facts follow what the seed says of other years.
    """
    values: dict[str, Figure] = {}
    for level in _LEVEL_FIELDS:
        values[level] = round(float(previous[level]) * rng.uniform(0.95, 1.05))
    total = sum(int(values[level]) for level in _LEVEL_FIELDS)
    values["pupils_total"] = total
    previous_total = max(1, int(previous["pupils_total"]))
    values["pupils_bused"] = round(int(previous["pupils_bused"]) * total / previous_total)
    values["teachers"] = max(3, int(previous["teachers"]) + rng.randint(-1, 1))
    values["vacancies"] = max(0, int(previous["vacancies"]) + rng.choice((-1, 0, 0, 0, 1)))
    for share in _SHARE_FIELDS:
        values[share] = round(_clamp(float(previous[share]) + rng.uniform(-2.5, 2.5)), 1)
    mbps = float(previous["internet_mbps"])
    values["internet_mbps"] = round(mbps * 0.8, 1) if year < SEED_YEAR else mbps
    for flag in _FLAG_FIELDS:
        values[flag] = int(previous[flag])
    values["project_500"] = 0  # the seed names the years of «500+»: see _YEAR_HINTS
    if year < _TOCHKA_SINCE.get(code, 0):
        values["tochka_rosta"] = 0
    if year < _TSOS_SINCE.get(code, 0):
        values["tsos"] = 0
    if code == "08" and year > SEED_YEAR:
        values["vacancies"] = 0  # the informatics vacancy was closed in 2023
    values.update(_YEAR_HINTS.get((code, year), {}))
    return values


def _insert_meeting(cs: ChangeSet, programme_id: int, person_ids: Mapping[str, int]) -> None:
    """Insert protocol №1 of 03.07.2023 as seed 004 gives it: no place, no secretary named."""
    meeting_id = cs.insert(
        "meeting",
        {
            "programme_id": programme_id,
            "number": MEETING.number,
            "meeting_date": MEETING.meeting_date,
            "title": MEETING.title,
            "chair_id": person_ids[MEETING.chair_key],
            "chair_post": MEETING.chair_post,
            "secretary_id": None,
        },
    )
    cs.insert_many(
        "meeting_attendee",
        [
            {
                "meeting_id": meeting_id,
                "person_id": person_ids[attendee.person_key],
                "role_text": attendee.role,
                "post": attendee.post,
                "position": position,
            }
            for position, attendee in enumerate(MEETING.attendees, 1)
        ],
    )
    cs.insert(
        "meeting_item",
        {
            "meeting_id": meeting_id,
            "position": 1,
            "title": MEETING.item_title,
            "heard": MEETING.heard,
            "decided": MEETING.decided,
            "unanimous": int(MEETING.unanimous),
        },
    )
