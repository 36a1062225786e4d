"""The demo's events: seed 004's own events of the district, and seed 000's list adapted to it.

**Seed 000** (Артёмовский городской округ, 2021) lists the seminars, master
classes, practicums and round tables its city methodical associations (ГМО)
held for teachers, each «по теме: «…» (дата, охват – N чел.)», grouped by the
teachers they were for.  :data:`SEED_000_EVENTS` copies that list as written:
the kind as the document names it (a «методический практикум» is a
практикум, a «краевой семинар» a семинар with a note), the topic in its own
quotes, the audience from the heading above it («для учителей начальных
классов» → «учителя начальных классов»), the date and the coverage.  The
discussion «„Я тебя не понимаю“… Дети мигрантов: проблемы обучения» is listed
with «(дата, охват – 56 чел.)»: its date is unknown and stays so.

**Seed 004** (Ивантеевский район, the demo district) names its own events
without dates or coverage: the municipal seminar «Организация работы с
разными группами учащихся с проявлениями школьной неуспешности: возможности и
проблемы», the methodical seminars of the РМО on pupils at risk of school
failure, the meetings of the РМО «Повышение качества преподавания», the series
of seminars for school management teams (2022/23); and for 2023/24 the single
methodical day (ноябрь 2023), the seminar-practicum «Объективное оценивание.
ВСОКО» (февраль 2024) and the seminars «Пути снижения образовательных
дефицитов» (ноябрь 2023, март 2024).  Their topics are the document's; the
day within the month (or the school year) and the coverage are generated, and
the rows are marked generated with a note saying so.

**Seed 000 in the demo district.**  Where seed 000's list fits a small rural
district, its events are carried into 2022/23 with the same day and month,
the district's РМО as organiser and a coverage scaled to the district's size
(nine schools against the city's many): every such row is generated and its
note names the source.  Two do not fit and are left out: the seminar that
shares the experience of «МБОУ СОШ №11» (a school of Артёмовск) and the
краевой семинар (a regional event of Приморский край).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from shnor_desktop.models.changelog import ChangeSet
from shnor_desktop.models.events import EventDraft, insert_events

D = date


@dataclass(frozen=True)
class SeedEvent:
    """One event of seed 000's list, as written (``day`` None: «(дата, …)»)."""

    kind: str
    topic: str
    day: date | None
    coverage: int
    audience: str
    notes: str = ""


_PRIMARY = "учителя начальных классов"
_CHEM_BIO = "учителя химии и биологии"
_GEOGRAPHY = "учителя географии"
_MATHS = "учителя математики"
_HISTORY = "учителя истории и обществознания"
_MHK = "учителя, преподающие МХК"
_RUSSIAN = "учителя русского языка и литературы"
_ENGLISH = "учителя английского языка"
_PHYSICS = "учителя физики"
_TECHNOLOGY = "учителя технологии"

SEED_000_EVENTS: Final = (
    SeedEvent(
        "семинар",
        "Обобщение опыта работы руководителя школьного методического объединения учителей "
        "начальных классов МБОУ СОШ №11",
        D(2021, 3, 17),
        48,
        _PRIMARY,
    ),
    SeedEvent(
        "семинар", "Методика обучения детей осмысленному чтению", D(2021, 5, 28), 51, _PRIMARY
    ),
    SeedEvent(
        "семинар",
        "Функциональная грамотность школьников – важный показатель качества образования",
        D(2021, 12, 9),
        28,
        _PRIMARY,
    ),
    SeedEvent("семинар", "Методы и приёмы школьной мотивации", D(2021, 2, 12), 19, _CHEM_BIO),
    SeedEvent(
        "семинар",
        "Осуществление профессиональной деятельности в связи с внедрением ФГОС",
        D(2021, 3, 23),
        25,
        _CHEM_BIO,
    ),
    SeedEvent(
        "семинар",
        "Использование метода интеграции в процессе преподавания химии и биологии с "
        "предметами естественно - математического цикла",
        D(2021, 5, 19),
        18,
        _CHEM_BIO,
    ),
    SeedEvent(
        "семинар-практикум",
        "Формирование функциональной грамотности школьников естественно – научного направления",
        D(2021, 12, 3),
        19,
        _CHEM_BIO,
    ),
    SeedEvent(
        "семинар",
        "Воспитание экологической культуры через исследовательскую деятельность",
        D(2021, 3, 25),
        12,
        _GEOGRAPHY,
    ),
    SeedEvent(
        "мастер-класс",
        "Использование занимательных элементов на уроках географии как средство достижения "
        "предметных и метапредметных результатов",
        D(2021, 5, 18),
        13,
        _GEOGRAPHY,
    ),
    SeedEvent(
        "семинар",
        "Функциональная грамотность школьников как один из показателей качества образования",
        D(2021, 12, 21),
        22,
        _GEOGRAPHY,
    ),
    SeedEvent(
        "мастер-класс",
        "Решение временной несогласованности изучения тем по предметам естественно – "
        "математического цикла",
        D(2021, 4, 16),
        28,
        _MATHS,
    ),
    SeedEvent(
        "круглый стол",
        "Актуальные вопросы преподавания истории и обществознания в условиях реализации ФГОС",
        D(2021, 3, 25),
        26,
        _HISTORY,
    ),
    SeedEvent(
        "мастер-класс",
        "Использование приемов технологии развития критического мышления для работы с текстом "
        "на уроках истории и обществознания",
        D(2021, 4, 28),
        23,
        _HISTORY,
    ),
    SeedEvent(
        "семинар",
        "Функциональная грамотность школьников как один из показателей качества образования",
        D(2021, 12, 14),
        20,
        _HISTORY,
    ),
    SeedEvent(
        "совещание",
        "Интеграция предметов гуманитарного цикла в процессе обучения МХК",
        D(2021, 3, 18),
        12,
        _MHK,
    ),
    SeedEvent(
        "семинар",
        "Проведение устной части ОГЭ по русскому языку",
        D(2021, 1, 28),
        35,
        _RUSSIAN,
    ),
    SeedEvent(
        "дискуссия",
        "«Я тебя не понимаю»… Дети мигрантов: проблемы обучения",
        None,
        56,
        _RUSSIAN,
        "Дата в документе не указана: «(дата, охват – 56 чел.)».",
    ),
    SeedEvent(
        "мастер-класс",
        "Эффективные методы и приёмы при работе с текстом на уроках русского языка",
        D(2021, 5, 18),
        24,
        _RUSSIAN,
    ),
    SeedEvent(
        "семинар",
        "Эффективная подготовка к итоговой аттестации по русскому языку",
        D(2021, 10, 27),
        78,
        _RUSSIAN,
        "краевой семинар",
    ),
    SeedEvent(
        "семинар-практикум",
        "Вопросы проверки итоговых сочинений (изложений) и их оценивание в соответствии с "
        "критериями оценивания, разработанными Рособрнадзором в 2021 году",
        D(2021, 11, 18),
        25,
        _RUSSIAN,
    ),
    SeedEvent(
        "практикум",
        "Раннее обучение английскому языку как средство развития личности младших школьников "
        "на примере темы «Путешествие»",
        D(2021, 2, 24),
        30,
        _ENGLISH,
        "методический практикум",
    ),
    SeedEvent("практикум", "ВПР по английскому языку в 7 классах", D(2021, 3, 24), 28, _ENGLISH),
    SeedEvent(
        "семинар",
        "Изменение и поправки в критериях оценивания при проверке работ ОГЭ по английскому языку",
        D(2021, 4, 21),
        27,
        _ENGLISH,
    ),
    SeedEvent(
        "обмен опытом",
        "«Практическая работа учителей физики на уроках и во внеурочное время». «Информация об "
        "использовании интерактивных технологий на уроках физики, а также во внеурочной системе»",
        D(2021, 4, 4),
        13,
        _PHYSICS,
    ),
    SeedEvent(
        "семинар-практикум",
        "Функциональная грамотность школьников – важный показатель качества образования",
        D(2021, 12, 8),
        19,
        _PHYSICS,
    ),
    SeedEvent(
        "семинар",
        "Планирование уроков технологии в 5-6 классах",
        D(2021, 2, 15),
        19,
        _TECHNOLOGY,
        "охват педагогов",
    ),
    SeedEvent(
        "семинар-практикум",
        "Обновленное содержание предметной области «Технология». Рабочая программа учителя",
        D(2021, 3, 29),
        38,
        _TECHNOLOGY,
    ),
    SeedEvent(
        "круглый стол",
        "Проблемы и пути их решения при реализации новой программы по технологии",
        D(2021, 10, 18),
        24,
        _TECHNOLOGY,
    ),
    SeedEvent(
        "семинар",
        "Особенности проведения муниципального этапа ВОШ в текущем учебном году",
        D(2021, 11, 22),
        23,
        _TECHNOLOGY,
    ),
)
"""Seed 000's list of events for teachers (2021), in the document's order."""

SEED_000_ORGANISER: Final = "городские методические объединения Артемовского городского округа"


def seed_000_drafts() -> list[EventDraft]:
    """Seed 000's list as events of Артёмовский городской округ (what the document says)."""
    return [
        EventDraft(
            topic=e.topic,
            kind=e.kind,
            event_date=e.day,
            audience=e.audience,
            coverage=e.coverage,
            organiser="" if e.notes == "краевой семинар" else SEED_000_ORGANISER,
            notes=e.notes,
        )
        for e in SEED_000_EVENTS
    ]


# --- the demo district --------------------------------------------------------------------------

OFFICE: Final = "Управление образованием"
RC: Final = "МУ РЦ УО"
NOTE_004: Final = (
    "Тема — из отчёта о выполнении Дорожной карты (документ 004); дата и охват "
    "сгенерированы для демонстрации."
)
NOTE_004_PLAN: Final = (
    "Тема и месяц — из плана на 2023/24 учебный год (документ 004); число и охват "
    "сгенерированы для демонстрации."
)
NOTE_000: Final = (
    "Из перечня мероприятий документа 000 (Артёмовский городской округ, 2021 год), "
    "перенесено в демонстрационный район: дата сдвинута на 2022/23 учебный год, "
    "охват пересчитан на размер района."
)
UNFIT: Final = frozenset({0, 18})
"""Seed 000's events left out of the demo: «МБОУ СОШ №11»'s experience; the краевой семинар."""
SCALE: Final = 0.4
"""Seed 000's coverage times this: the demo district's РМО gather fewer teachers than a city's."""

DEMO_004_EVENTS: Final = (
    EventDraft(
        "Организация работы с разными группами учащихся с проявлениями школьной "
        "неуспешности: возможности и проблемы",
        "семинар",
        D(2023, 3, 16),
        "руководители и педагоги общеобразовательных организаций",
        34,
        OFFICE,
        "МОУ «Гимназия с. Ивантеевка»",
        "Муниципальный семинар: свои управленческие практики представили директора школ с "
        "«высокими образовательными результатами». " + NOTE_004,
        True,
    ),
    EventDraft(
        "Определение комплексной стратегии работы с обучающимися, имеющими риски школьной "
        "неуспешности, на уровне муниципалитета и образовательных организаций",
        "семинар",
        D(2022, 11, 24),
        "педагоги школ группы профилактики учебной неуспешности",
        21,
        "РМО",
        "",
        "Методический семинар в рамках РМО. " + NOTE_004,
        True,
    ),
    EventDraft(
        "Повышение качества преподавания",
        "заседание РМО",
        D(2022, 10, 20),
        "педагоги ШНСУ",
        26,
        "РМО",
        "",
        NOTE_004,
        True,
    ),
    EventDraft(
        "Реализация Программ перехода школ в эффективный режим работы",
        "семинар",
        D(2023, 1, 26),
        "управленческие команды школ",
        18,
        RC,
        "",
        "Из серии информационно-методических семинаров для управленческих команд на "
        "муниципальном уровне. " + NOTE_004,
        True,
    ),
    EventDraft(
        "Единый муниципальный методический день",
        "методический день",
        D(2023, 11, 8),
        "педагоги и руководители общеобразовательных организаций",
        112,
        OFFICE,
        "",
        NOTE_004_PLAN,
        True,
    ),
    EventDraft(
        "Пути снижения образовательных дефицитов",
        "семинар",
        D(2023, 11, 22),
        "педагоги ШНРО, ШФНСУ",
        27,
        OFFICE,
        "",
        "Информационно-методический семинар (п. 9 Дорожной карты на 2023/24 учебный год). "
        + NOTE_004_PLAN,
        True,
    ),
    EventDraft(
        "Объективное оценивание. ВСОКО",
        "семинар-практикум",
        D(2024, 2, 15),
        "руководители и педагоги общеобразовательных организаций",
        31,
        RC,
        "",
        NOTE_004_PLAN,
        True,
    ),
    EventDraft(
        "Пути снижения образовательных дефицитов",
        "семинар",
        D(2024, 3, 21),
        "педагоги ШНРО, ШФНСУ",
        25,
        OFFICE,
        "",
        "Информационно-методический семинар (п. 9 Дорожной карты на 2023/24 учебный год). "
        + NOTE_004_PLAN,
        True,
    ),
)
"""Seed 004's events of the demo district: 2022/23 (the report) and 2023/24 (the plan)."""

UNDATED_DAY: Final = D(2023, 4, 12)
"""The day given to seed 000's discussion without a date when it is carried into 2022/23."""


def _carried(event: SeedEvent) -> EventDraft:
    """A seed 000 event in the demo district's 2022/23: same day and month, РМО, scaled coverage."""
    if event.day is None:
        day = UNDATED_DAY
    else:
        year = 2022 if event.day.month >= 9 else 2023
        day = event.day.replace(year=year)
    audience = event.audience
    return EventDraft(
        topic=event.topic,
        kind=event.kind,
        event_date=day,
        audience=audience,
        coverage=max(round(event.coverage * SCALE), 5),
        organiser="РМО " + audience.replace("учителя", "учителей", 1),
        notes=NOTE_000,
        generated=True,
    )


def demo_drafts() -> list[EventDraft]:
    """The demo district's events: seed 004's own, and seed 000's list where it fits."""
    carried = [_carried(e) for i, e in enumerate(SEED_000_EVENTS) if i not in UNFIT]
    # The МХК meeting in a district without a МХК teachers' association: the РМО of the
    # humanities teachers holds it.
    carried = [
        replace(d, organiser="РМО учителей гуманитарного цикла") if d.audience == _MHK else d
        for d in carried
    ]
    return [*DEMO_004_EVENTS, *carried]


def insert_demo_events(cs: ChangeSet, tick: Callable[[], None] | None = None) -> list[int]:
    """Write the demo district's events into the open change set; return their ids."""
    ids = insert_events(cs, demo_drafts())
    if tick is not None:
        tick()
    return ids
