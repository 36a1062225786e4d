"""The demo's tutor journal for 2022/23: generated, marked generated, and true to seed 004's tracks.

Seed 004 gives no journal, only who worked with which schools and how; the
entries here are generated (``tutor_visit.generated = 1``) from that, with a
fixed random seed, so every demo database holds the same journal:

* **Трек 1, ШНОР** (МОУ «СОШ с. Бартеневка»): the school's curator
  («закрепление за школой куратора»), the municipal coordinator («закрепление
  за школой муниципального координатора», «план совместных действий»), the
  methodists of МУ РЦ who examined the school's documents («экспертиза
  разработанных школой документов силами методистов Ресурсного центра») and
  the heads of РМО at lessons — three entries a month.  Its recommendation to
  send teachers to the diagnostics of professional deficits stays unfulfilled:
  the seed says the measure «оказалась неэффективной, так как носила
  рекомендательный характер».
* **Трек 2, зона риска** (Знаменский, Ивановка, Арбузовка): the curator on the
  programmes of transition to an effective mode (ППЭРР) and the «Точка роста»
  centres (Знаменский and Ивановка have one, Арбузовка not), lesson visits of
  the heads of РМО — two entries a month.
* **Трек 3, профилактика учебной неуспешности** (Яблоновый Гай, Клевенка,
  Канаевка): the heads of РМО at lessons (primary school, Russian,
  mathematics) and the curator on the prevention programmes and individual
  routes — one or two entries a month; nothing online at Клевенка, which has
  no stable internet connection.
* **Лидеры** (the gymnasium and the school of Ивантеевка) host the seminars
  where they share their practice, among them the municipal seminar
  «Организация работы с разными группами учащихся с проявлениями школьной
  неуспешности: возможности и проблемы».

The curator of each school is the one the demo's passports give
(``demo.CURATOR_KEYS`` in turn over the supported schools).  Follow-ups are
as they stood when the working group met (03.07.2023): most done, a few
still open.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from shnor_desktop.models.changelog import ChangeSet
from shnor_desktop.models.journal import VisitDraft, insert_visits
from shnor_desktop.services import demo

JOURNAL_SEED: Final = 9_2022
YEAR: Final = 2022
FIRST_DAY: Final = date(2022, 9, 5)
LAST_DAY: Final = date(2023, 5, 26)
STATE_ON: Final = date(2023, 7, 3)
"""The follow-ups are as they stood on the day of the working group's protocol №1."""

#: Holidays and school breaks of 2022/23 (Саратовская область): no visits on these days.
BREAKS: Final[tuple[tuple[date, date], ...]] = (
    (date(2022, 10, 31), date(2022, 11, 6)),
    (date(2022, 12, 29), date(2023, 1, 8)),
    (date(2023, 2, 23), date(2023, 2, 24)),
    (date(2023, 3, 8), date(2023, 3, 8)),
    (date(2023, 3, 27), date(2023, 4, 2)),
    (date(2023, 5, 1), date(2023, 5, 1)),
    (date(2023, 5, 8), date(2023, 5, 9)),
)

CURATOR: Final = "curator"
COORDINATOR: Final = "astrakhantseva"

# The deficits the seed names (its risk vocabulary and conclusions).
RISKS: Final = "Определение рисков снижения образовательных результатов"
OBJECTIVITY: Final = "Объективность оценки образовательных результатов"
PARENTS: Final = "Вовлечение родителей в сопровождение развития детей"
QUALIFICATION: Final = "Внутришкольная система повышения квалификации"
COMPETENCE: Final = "Предметная и методическая компетентность педагогов"
VSOKO: Final = "Организация ВСОКО"
MOTIVATION: Final = "Низкая мотивация обучающихся к обучению"
FAILURE: Final = "Обучающиеся с рисками учебной неуспешности"
ADAPTIVITY: Final = "Адаптивность учебного процесса"
CLIMATE: Final = "Школьный уклад"
ANALYSIS: Final = "Анализ результатов оценочных процедур"
RESOURCES: Final = "Ресурсные дефициты"


@dataclass(frozen=True)
class Template:
    """A kind of visit of a track: who goes (a person key or «curator»), what for, what comes of it.

    ``diagnostics`` marks the recommendation the seed reports as not followed.
    ``online`` needs a stable internet connection at the school.
    """

    form: str
    tutor: str
    topic: str
    deficits: tuple[str, ...]
    findings: str
    recommendations: str
    diagnostics: bool = False
    schools: tuple[str, ...] = ()
    """Only these schools (empty: every school of the track)."""

    @property
    def online(self) -> bool:
        """True for a visit that needs the school's internet connection."""
        return self.form == "онлайн"


SHNOR: Final[tuple[Template, ...]] = (
    Template(
        "консультация",
        COORDINATOR,
        "План совместных действий с муниципальным координатором: промежуточные итоги",
        (RISKS, PARENTS),
        "План выполняется; мероприятия по вовлечению родителей отстают от графика.",
        "Скорректировать план совместных действий: включить родительские собрания по итогам ВПР.",
    ),
    Template(
        "выезд",
        CURATOR,
        "Сопровождение реализации концепции развития школы (2-й год)",
        (QUALIFICATION, CLIMATE),
        "Концепция развития реализуется; внутришкольное повышение квалификации не спланировано.",
        "Разработать план внутришкольного повышения квалификации на основе результатов ВПР.",
    ),
    Template(
        "выезд",
        CURATOR,
        "Мониторинг наступления позитивных изменений",
        (OBJECTIVITY,),
        "Есть позитивные изменения во взаимодействии администрации с педагогическим "
        "коллективом; объективность внутренней оценки не обеспечена.",
        "Провести сверку отметок за четверть с результатами ВПР по русскому языку и математике.",
    ),
    Template(
        "посещение урока",
        "kochneva",
        "Посещение урока русского языка в 6 классе",
        (COMPETENCE,),
        "Урок не опирается на анализ типичных ошибок ВПР; дифференцированные задания "
        "не используются.",
        "Направить учителя на диагностику предметных и методических компетенций.",
        diagnostics=True,
    ),
    Template(
        "посещение урока",
        "babukhina",
        "Посещение урока математики в 5 классе",
        (COMPETENCE, FAILURE),
        "Низкий темп урока; слабоуспевающие обучающиеся не вовлечены в работу.",
        "Направить учителя математики на диагностику профессиональных дефицитов; "
        "составить маршруты для слабоуспевающих.",
        diagnostics=True,
    ),
    Template(
        "консультация",
        "mazaleva",
        "Экспертиза антирисковой программы «Несформированность внутришкольной системы "
        "повышения квалификации»",
        (QUALIFICATION,),
        "Меры программы не связаны с показателями; не указаны сроки и ответственные.",
        "Доработать программу по замечаниям экспертизы и представить повторно.",
    ),
    Template(
        "онлайн",
        COORDINATOR,
        "Консультация по организации ВСОКО и самообследования",
        (VSOKO, OBJECTIVITY),
        "Положение о ВСОКО не обновлялось; самообследование проведено формально.",
        "Обновить положение о ВСОКО, утвердить график внутренних оценочных процедур.",
    ),
    Template(
        "выезд",
        CURATOR,
        "Вовлечение родителей в сопровождение развития детей",
        (PARENTS,),
        "Родители слабоуспевающих обучающихся не знают результатов ВПР своих детей.",
        "Провести индивидуальные встречи с родителями обучающихся группы риска.",
    ),
    Template(
        "консультация",
        "tyurkina",
        "Подготовка к ОГЭ: анализ пробного экзамена по русскому языку",
        (ANALYSIS,),
        "Типичные ошибки пробного ОГЭ не разобраны с обучающимися.",
        "Разобрать типичные ошибки на уроках и консультациях; повторить пробный экзамен.",
    ),
)

RISK_ZONE: Final[tuple[Template, ...]] = (
    Template(
        "выезд",
        CURATOR,
        "Реализация Программы перехода школы в эффективный режим работы (ППЭРР)",
        (RESOURCES, ADAPTIVITY),
        "Мероприятия ППЭРР за четверть выполнены частично; мониторинг мер не ведётся.",
        "Вести мониторинг мер ППЭРР ежемесячно, итоги рассматривать на педсовете.",
    ),
    Template(
        "консультация",
        CURATOR,
        "Анализ динамики результатов ВПР и ОГЭ",
        (ANALYSIS,),
        "Анализ ограничен средними отметками; по классам и заданиям не проведён.",
        "Подготовить поэлементный анализ ВПР по классам и довести до учителей.",
    ),
    Template(
        "посещение урока",
        "babukhina",
        "Посещение урока математики в 6 классе",
        (COMPETENCE,),
        "Задания базового уровня не отработаны; обратная связь обучающимся не даётся.",
        "Включить в уроки отработку заданий базового уровня ВПР.",
    ),
    Template(
        "посещение урока",
        "kochneva",
        "Посещение урока русского языка в 5 классе",
        (COMPETENCE, OBJECTIVITY),
        "Критерии оценивания письменных работ не совпадают с критериями ВПР.",
        "Согласовать критерии оценивания в ШМО с критериями ВПР.",
    ),
    Template(
        "выезд",
        CURATOR,
        "Использование оборудования центра «Точка роста» на уроках",
        (RESOURCES,),
        "Оборудование центра используется в основном во внеурочной деятельности.",
        "Включить работу с оборудованием «Точки роста» в рабочие программы по физике и биологии.",
        schools=("02", "03"),
    ),
    Template(
        "онлайн",
        "mazaleva",
        "Адресные рекомендации по повышению образовательной результативности",
        (ANALYSIS, RISKS),
        "Школа не связывает меры ППЭРР с результатами мониторинга.",
        "Дополнить ППЭРР мерами по итогам мониторинга динамики результатов.",
    ),
    Template(
        "выезд",
        "tyurkina",
        "Подготовка к ОГЭ по математике: работа с группой риска",
        (FAILURE,),
        "Для обучающихся группы риска нет отдельного плана подготовки.",
        "Составить план занятий с группой риска и вести учёт посещаемости.",
    ),
)

PREVENTION: Final[tuple[Template, ...]] = (
    Template(
        "посещение урока",
        "lobanova",
        "Посещение урока в 4 классе: подготовка к ВПР",
        (FAILURE,),
        "Обучающиеся с трудностями в чтении не получают дополнительных заданий.",
        "Организовать дополнительные занятия по смысловому чтению.",
    ),
    Template(
        "консультация",
        CURATOR,
        "Программа профилактики учебной неуспешности: ход реализации",
        (FAILURE, MOTIVATION),
        "Программа реализуется; учёт обучающихся, нуждающихся в адресной поддержке, ведётся "
        "не во всех классах.",
        "Вести учёт обучающихся, нуждающихся в адресной поддержке, во всех классах.",
    ),
    Template(
        "выезд",
        CURATOR,
        "Индивидуальные образовательные маршруты слабоуспевающих обучающихся",
        (MOTIVATION, FAILURE),
        "Маршруты составлены не для всех слабоуспевающих; сроки не указаны.",
        "Дополнить маршруты сроками и формами контроля.",
    ),
    Template(
        "посещение урока",
        "kochneva",
        "Посещение урока русского языка в 7 классе",
        (COMPETENCE,),
        "На уроке мало работы с текстом; слабоуспевающие не вовлечены.",
        "Использовать на уроках задания по работе с текстом для разных групп обучающихся.",
    ),
    Template(
        "посещение урока",
        "babukhina",
        "Посещение урока математики в 5 классе",
        (COMPETENCE, MOTIVATION),
        "Обучающиеся не понимают цели заданий; мотивация низкая.",
        "Применять на уроках практико-ориентированные задания.",
    ),
    Template(
        "онлайн",
        "mazaleva",
        "Дополнительные занятия для ликвидации отставания: организация и учёт",
        (FAILURE,),
        "Дополнительные занятия проводятся нерегулярно; посещаемость не учитывается.",
        "Утвердить расписание дополнительных занятий и журнал посещаемости.",
    ),
    Template(
        "консультация",
        CURATOR,
        "Экспертиза антирисковой программы «Высокая доля обучающихся с рисками "
        "школьной неуспешности»",
        (FAILURE, RISKS),
        "Показатели программы не измеримы.",
        "Дополнить программу измеримыми показателями и сроками.",
    ),
)

NO_STABLE_INTERNET: Final = frozenset({"06"})
"""«отсутствие устойчивой интернет-связи … в МОУ «ООШ с. Клевенка»» (seed 004)."""


@dataclass(frozen=True)
class Seminar:
    """A seminar a leader school hosted: when, who ran it, its topic and attendance."""

    day: date
    school: str
    tutor: str
    topic: str
    participants: int
    findings: str


SEMINARS: Final[tuple[Seminar, ...]] = (
    Seminar(
        date(2022, 11, 16),
        "08",
        "mazaleva",
        "Семинар по обмену опытом «Объективность оценочных процедур: опыт Гимназии»",
        27,
        "Представлена система внутренней оценки гимназии; школам рекомендовано её применять.",
    ),
    Seminar(
        date(2022, 12, 14),
        "09",
        "kochneva",
        "Заседание РМО учителей русского языка «Повышение качества преподавания»: открытые уроки",
        19,
        "Открытые уроки в 5 и 9 классах; обсуждены приёмы работы с текстом.",
    ),
    Seminar(
        date(2023, 1, 25),
        "08",
        "babukhina",
        "Заседание РМО учителей математики «Повышение качества преподавания»: разбор заданий ВПР",
        21,
        "Разобраны задания ВПР с низким процентом выполнения.",
    ),
    Seminar(
        date(2023, 2, 15),
        "09",
        COORDINATOR,
        "Муниципальный семинар «Организация работы с разными группами учащихся "
        "с проявлениями школьной неуспешности: возможности и проблемы»",
        34,
        "Директора школ с высокими образовательными результатами представили "
        "управленческие практики.",
    ),
    Seminar(
        date(2023, 3, 22),
        "08",
        "lobanova",
        "Заседание РМО учителей начальных классов: формирование функциональной грамотности",
        23,
        "Представлен опыт работы с обучающимися, испытывающими трудности в чтении.",
    ),
    Seminar(
        date(2023, 4, 19),
        "09",
        "tyurkina",
        "Семинар «ВСОКО: внутренняя оценка качества в школе» — опыт СОШ с. Ивантеевка",
        25,
        "Представлен график внутренних оценочных процедур и формы анализа.",
    ),
)

#: Visits a month by track (the ШНОР most often).
PER_MONTH: Final[Mapping[str, tuple[int, ...]]] = {
    "shnor": (3,),
    "risk": (2,),
    "prevention": (1, 2),
}
TRACKS: Final[Mapping[str, tuple[Template, ...]]] = {
    "shnor": SHNOR,
    "risk": RISK_ZONE,
    "prevention": PREVENTION,
}
DONE_NOTES: Final = (
    "Исполнено: документ доработан и представлен куратору.",
    "Исполнено: рассмотрено на педагогическом совете.",
    "Исполнено: план скорректирован, копия направлена в МУ РЦ.",
    "Исполнено: проведено, справка направлена в МУ РЦ.",
)
NOT_DONE_NOTE: Final = (
    "Не исполнено: направление на диагностику носило рекомендательный характер, "
    "учителя заявления не подали."
)


def curators(person_ids: Mapping[str, int]) -> dict[str, int]:
    """The curator of each supported school, as the demo's passports assign them (in turn)."""
    supported = [p.code for p in demo.PROFILES if p.group_code not in ("leader", "none")]
    keys = demo.CURATOR_KEYS
    return {code: person_ids[keys[i % len(keys)]] for i, code in enumerate(supported)}


def _working_days(month: date) -> list[date]:
    """The days of a month a tutor may visit: weekdays of the school year outside the breaks."""
    days = []
    day = month
    while day.month == month.month:
        if (
            day.weekday() < 5
            and FIRST_DAY <= day <= LAST_DAY
            and not any(a <= day <= b for a, b in BREAKS)
        ):
            days.append(day)
        day += timedelta(days=1)
    return days


def _months() -> list[date]:
    months = []
    month = date(FIRST_DAY.year, FIRST_DAY.month, 1)
    while month <= LAST_DAY:
        months.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return months


def _participants(form: str, rng: random.Random) -> int:
    low, high = {
        "выезд": (4, 12),
        "посещение урока": (2, 3),
        "консультация": (2, 5),
        "онлайн": (3, 9),
        "семинар": (18, 36),
    }[form]
    return rng.randint(low, high)


def _follow_up(template: Template, day: date, rng: random.Random) -> tuple[date, str, str]:
    """Due date, status and note of a recommendation, as they stood on :data:`STATE_ON`."""
    due = day + timedelta(days=rng.choice((14, 21, 21, 28, 30, 35)))
    if template.diagnostics:
        return due, "open", NOT_DONE_NOTE
    if due > STATE_ON - timedelta(days=14):
        return due, rng.choice(("open", "in_progress")), ""
    roll = rng.random()
    if roll < 0.88:
        return due, "done", rng.choice(DONE_NOTES)
    if roll < 0.95:
        return due, "in_progress", "Исполняется."
    return due, "open", ""


def journal_drafts(
    school_ids: Mapping[str, int], person_ids: Mapping[str, int]
) -> list[VisitDraft]:
    """The generated entries of 2022/23, by date (the same every time)."""
    rng = random.Random(JOURNAL_SEED)
    curator_of = curators(person_ids)
    entries: list[tuple[date, str, VisitDraft]] = []
    for profile in demo.PROFILES:
        track = TRACKS.get(profile.group_code)
        if track is None:
            continue
        code = profile.code
        templates = [
            t
            for t in track
            if (not t.schools or code in t.schools)
            and not (t.online and code in NO_STABLE_INTERNET)
        ]
        order: list[Template] = []
        for index, month in enumerate(_months()):
            count = PER_MONTH[profile.group_code][index % len(PER_MONTH[profile.group_code])]
            days = sorted(rng.sample(_working_days(month), count))
            for day in days:
                if not order:  # every kind of visit once before any comes again
                    order = rng.sample(templates, len(templates))
                template = order.pop()
                tutor = (
                    curator_of[code] if template.tutor == CURATOR else person_ids[template.tutor]
                )
                due, status, note = _follow_up(template, day, rng)
                entries.append(
                    (
                        day,
                        code,
                        VisitDraft(
                            visit_date=day,
                            tutor_id=tutor,
                            school_id=school_ids[code],
                            form=template.form,
                            topic=template.topic,
                            participants=_participants(template.form, rng),
                            findings=template.findings,
                            recommendations=template.recommendations,
                            due_date=due,
                            follow_up_status=status,
                            follow_up_note=note,
                            deficits=template.deficits,
                            generated=True,
                        ),
                    )
                )
    for seminar in SEMINARS:
        entries.append(
            (
                seminar.day,
                seminar.school,
                VisitDraft(
                    visit_date=seminar.day,
                    tutor_id=person_ids[seminar.tutor],
                    school_id=school_ids[seminar.school],
                    form="семинар",
                    topic=seminar.topic,
                    participants=seminar.participants,
                    findings=seminar.findings,
                    follow_up_status="not_required",
                    generated=True,
                ),
            )
        )
    entries.sort(key=lambda e: (e[0], e[1]))
    return [draft for _, _, draft in entries]


def insert_journal(
    cs: ChangeSet, school_ids: Mapping[str, int], person_ids: Mapping[str, int]
) -> Sequence[int]:
    """Write the demo's journal into the open change set (its deficit list starts empty)."""
    return insert_visits(cs, None, journal_drafts(school_ids, person_ids))
