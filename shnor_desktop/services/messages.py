"""Russian wording of the typed errors, shared by the command line and the GUI.

Models and services raise errors that carry facts (a path, a version, a
table); :func:`describe_error` turns any of them into one clear sentence or
two for the user.  Nothing here imports Qt.
"""

from __future__ import annotations

import errno
import re
import sqlite3
from pathlib import Path

from shnor_desktop.models import rules
from shnor_desktop.models.errors import (
    AlreadyRevertedError,
    Cancelled,
    ConstraintError,
    DatabaseLockedError,
    DatabaseUnavailableError,
    DomainError,
    IntegrityError,
    NestedChangeSetError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
    RecordNotFoundError,
    RevertConflictError,
    SchemaTooNewError,
)
from shnor_desktop.models.fields import FieldIssue, FieldSpec, InvalidValueError
from shnor_desktop.models.schools import PROFILE_FIELD_BY_NAME, SCHOOL_FIELD_BY_NAME
from shnor_desktop.models.text import format_number
from shnor_desktop.services.backup import (
    BackupCancelled,
    BackupDamagedError,
    BackupFailedError,
    DatabaseBusyError,
    DatabaseMissingError,
    RestoreSameFileError,
)
from shnor_desktop.services.demo import DemoCancelled
from shnor_desktop.services.exchange.wording import describe_exchange_error
from shnor_desktop.services.files import (
    DatabaseDamagedError,
    DatabaseExistsError,
    DatabaseTruncatedError,
    EmptyDatabaseFileError,
    FileNotCreatableError,
    FolderNotCreatedError,
    NotAFileError,
    PathTooLongError,
    RelativePathError,
)
from shnor_desktop.services.reports.errors import ReportInputError, describe_report_error

TABLE_NAMES: dict[str, str] = {
    "meta": "служебные сведения",
    "district": "район",
    "district_year": "сведения района по годам",
    "programme": "программы",
    "school": "школы",
    "person": "люди",
    "person_role": "роли людей",
    "school_profile": "паспорта школ",
    "assessment": "результаты оценочных процедур",
    "indicator": "показатели программы",
    "indicator_value": "значения показателей",
    "roadmap_section": "разделы дорожной карты",
    "roadmap_activity": "мероприятия дорожной карты",
    "roadmap_interval": "сроки мероприятий",
    "roadmap_concern": "школы и группы школ мероприятий",
    "tutor_visit": "журнал тьюторов",
    "event": "мероприятия",
    "risk_factor": "факторы риска",
    "school_risk": "рисковые профили",
    "meeting": "заседания",
    "meeting_attendee": "участники заседаний",
    "meeting_item": "вопросы повестки",
    "change_set": "журнал изменений",
    "change": "журнал изменений",
    "import_batch": "загрузки файлов",
    "activity_report": "отчёты школ о мероприятиях",
    "setting": "настройки",
    "report_text": "тексты отчётов",
    "deficit": "дефициты",
    "tutor_visit_deficit": "дефициты, выявленные при посещениях",
    "risk_measure": "антирисковые меры",
}
"""Russian names of the tables, as the user knows the sections of the program."""

MAX_PROBLEMS_SHOWN = 5
_NOT_SAVED = " Изменение не сохранено."


def table_name(table: str) -> str:
    """Return the Russian name of ``table`` in quotes (the code itself if unknown)."""
    return f"«{TABLE_NAMES.get(table, table)}»"


def _name(path: Path | str) -> str:
    return f"«{Path(path)}»"


def _problems(problems: list[str]) -> str:
    shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
    more = len(problems) - MAX_PROBLEMS_SHOWN
    return shown + (f" (и ещё {more})" if more > 0 else "")


def _constraint(exc: ConstraintError) -> str:  # noqa: PLR0911 (one branch per kind)
    """Word what SQLite said about a broken constraint."""
    where = table_name(exc.table)
    detail = exc.detail
    if match := re.match(r"UNIQUE constraint failed: (.+)", detail):
        return (
            f"Такая запись уже есть в разделе {where}: значения ({match.group(1)}) "
            "должны быть уникальными. Изменение не сохранено."
        )
    if match := re.match(r"NOT NULL constraint failed: (.+)", detail):
        return f"В разделе {where} не заполнено обязательное поле {match.group(1)}.{_NOT_SAVED}"
    if detail.startswith("CHECK constraint failed"):
        rule = detail.partition(":")[2].strip()
        rule_text = f" (правило: {rule})" if rule else ""
        return f"Значение в разделе {where} вне допустимых пределов{rule_text}.{_NOT_SAVED}"
    if detail.startswith("FOREIGN KEY constraint failed"):
        return (
            f"Запись в разделе {where} ссылается на отсутствующую запись или на неё ссылаются "
            "другие записи. Изменение не сохранено."
        )
    if detail == "no such table":
        return f"В базе нет раздела {where}: возможно, файл создан другой программой."
    if detail.startswith("no such column"):
        columns = detail.partition(":")[2].strip()
        return f"В разделе {where} нет полей {columns}. Изменение не сохранено."
    if detail == "table is not written through the change log":
        return f"Раздел {where} нельзя изменять напрямую."
    return f"Изменение в разделе {where} нарушает правила базы: {detail}. Изменение не сохранено."


def _os_error(exc: OSError) -> str:
    target = exc.filename if exc.filename is not None else ""
    named = f" {_name(target)}" if target else ""
    if isinstance(exc, FileNotFoundError):
        return f"Файл{named} не найден."
    if isinstance(exc, FileExistsError):
        return f"Файл{named} уже существует; выберите другое имя или удалите его."
    if isinstance(exc, PermissionError):
        return f"Нет доступа к файлу{named}: проверьте права или закройте другие программы."
    if isinstance(exc, IsADirectoryError):
        return (
            f"{_name(target)} — это папка, а нужен файл." if target else "Нужен файл, а не папка."
        )
    if exc.errno == errno.ENOSPC:
        return "На диске не хватает места. Освободите место и повторите."
    reason = exc.strerror or str(exc)
    return f"Ошибка работы с файлом{named}: {reason}."


def _sqlite_error(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "База данных занята другой программой или другим окном. Повторите позже."
    if "disk is full" in text:
        return "На диске не хватает места. Освободите место и повторите."
    if "malformed" in text or "not a database" in text:
        return "Файл базы данных повреждён. Восстановите его из резервной копии."
    if "readonly" in text or "read-only" in text:
        return "Файл базы данных открыт только для чтения: изменения нельзя сохранить."
    return f"Ошибка базы данных: {text}."


def _domain(exc: DomainError) -> str | None:  # noqa: PLR0911 (one branch per error type)
    write_path = _write_path(exc)
    if write_path is not None:
        return write_path
    signing = _signing(exc)
    if signing is not None:
        return signing
    if isinstance(exc, ReportInputError):
        return describe_report_error(exc)
    risk_list = _risk_errors(exc)
    if risk_list is not None:
        return risk_list
    deficits = _deficit_errors(exc)
    if deficits is not None:
        return deficits
    if isinstance(exc, SchemaTooNewError):
        return (
            f"Файл базы {_name(exc.path)} создан более новой версией программы "
            f"(схема {exc.found}, эта версия понимает до {exc.supported}). "
            "Обновите программу; файл не изменён."
        )
    if isinstance(exc, NotADatabaseError):
        return f"Файл {_name(exc.path)} не является базой данных ШНОР Desktop."
    if isinstance(exc, IntegrityError):
        return (
            f"База {_name(exc.path)} повреждена: {_problems(exc.problems)}. "
            "Восстановите её из резервной копии."
        )
    if isinstance(exc, ConstraintError):
        return _constraint(exc)
    if isinstance(exc, RecordNotFoundError):
        return (
            f"Запись № {exc.row_id} в разделе {table_name(exc.table)} не найдена: "
            "возможно, её уже удалили."
        )
    if isinstance(exc, RevertConflictError):
        return (
            f"Изменение № {exc.set_id} нельзя отменить: запись № {exc.row_id} в разделе "
            f"{table_name(exc.table)} (поле {exc.column}) позже изменена ещё раз. "
            "Сначала отмените более поздние изменения."
        )
    if isinstance(exc, AlreadyRevertedError):
        return f"Изменение № {exc.set_id} уже отменено."
    return _storage(exc)


def _storage(exc: DomainError) -> str | None:
    """Word a database open for viewing only and a file that went away (issue 12)."""
    if isinstance(exc, ReadOnlyDatabaseError):
        if exc.reason == "upgrade":
            return (
                f"База {_name(exc.path)} создана прежней версией программы, и её нужно "
                "обновить, но файл доступен только для чтения. Скопируйте файл в папку, "
                "где его можно изменять (например, в «Документы»), и откройте копию."
            )
        return (
            f"База {_name(exc.path)} открыта только для просмотра: изменения в неё "
            "не записываются. Изменение не сохранено."
        )
    if isinstance(exc, DatabaseUnavailableError):
        return (
            f"Файл базы {_name(exc.path)} недоступен: возможно, отключён носитель (флешка) "
            "или пропала сетевая папка. Изменение не сохранено, всё сохранённое раньше "
            "осталось в файле. Подключите носитель и повторите."
        )
    return _backup(exc)


def _backup(exc: DomainError) -> str | None:  # noqa: PLR0911 (one branch per error type)
    if isinstance(exc, BackupCancelled):
        return "Резервное копирование отменено; копия не сохранена."
    if isinstance(exc, DatabaseMissingError):
        return f"Файл {_name(exc.path)} не найден."
    if isinstance(exc, BackupDamagedError):
        return (
            f"Резервная копия базы {_name(exc.source)} не прошла проверку целостности; "
            "копия не сохранена. База, вероятно, повреждена: "
            "восстановите её из более ранней резервной копии."
        )
    if isinstance(exc, BackupFailedError):
        return (
            f"Не удалось сделать резервную копию базы {_name(exc.path)}: "
            f"{_sqlite_error(sqlite3.OperationalError(exc.detail))}"
        )
    if isinstance(exc, DatabaseBusyError):
        return (
            f"База {_name(exc.path)} открыта в другой программе или другом окне. "
            "Закройте её там и повторите; файл не изменён."
        )
    if isinstance(exc, RestoreSameFileError):
        return f"Нельзя восстановить базу {_name(exc.path)} из неё самой: выберите резервную копию."
    return _files(exc)


_OS_REASONS: dict[int, str] = {
    errno.EACCES: "нет прав на запись в это место",
    errno.EPERM: "нет прав на запись в это место",
    errno.EEXIST: "на этом месте уже есть файл с таким именем",
    errno.ENOTDIR: "на этом месте уже есть файл с таким именем",
    errno.EROFS: "диск доступен только для чтения",
    errno.ENOSPC: "на диске нет места",
    errno.EINVAL: 'недопустимое имя (знаки \\ / : * ? " < > | в именах не допускаются)',
    errno.ENAMETOOLONG: "слишком длинное имя",
    errno.ENOENT: "диск или папка недоступны",
}


def _os_reason(code: int) -> str:
    return _OS_REASONS.get(code, f"система не позволила (код ошибки {code})")


def _size(size: int) -> str:
    """Return a size in bytes the Russian way: «1,5 МБ», «12 КБ», «900 байт»."""
    for unit, factor in (("ГБ", 1024**3), ("МБ", 1024**2), ("КБ", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".replace(".", ",") + f" {unit}"
    return f"{size} байт"


def _files(exc: DomainError) -> str | None:  # noqa: PLR0911 (one branch per error type)
    """Word the errors of checking a database file before opening or creating it."""
    if isinstance(exc, DatabaseDamagedError):
        return (
            f"Файл базы {_name(exc.path)} повреждён: часть его страниц испорчена. "
            "Работать с ним нельзя — изменения могут пропасть. "
            "Восстановите базу из резервной копии."
        )
    if isinstance(exc, DatabaseTruncatedError):
        return (
            f"Файл базы {_name(exc.path)} обрезан: в нём {_size(exc.size)}, а должно быть "
            f"{_size(exc.expected)}. Вероятно, копирование или запись файла прервались. "
            "Восстановите базу из резервной копии или скопируйте файл заново."
        )
    if isinstance(exc, EmptyDatabaseFileError):
        what = "пуст (0 байт)" if exc.size == 0 else "— пустая база SQLite без данных"
        return (
            f"Файл {_name(exc.path)} {what}: базы данных ШНОР Desktop в нём нет. "
            "Выберите другой файл или создайте в этом файле новую базу."
        )
    if isinstance(exc, NotAFileError):
        return f"{_name(exc.path)} — это папка, а нужен файл базы данных (.sqlite)."
    if isinstance(exc, PathTooLongError):
        unit = "знаков" if exc.unit == "chars" else "байт"
        return (
            f"Путь к файлу {_name(exc.path)} слишком длинный ({exc.length} {unit}, а можно "
            f"не больше {exc.limit}): с таким путём база не откроется. Выберите папку "
            "покороче, например «Документы», или сократите имена папок."
        )
    if isinstance(exc, RelativePathError):
        return (
            f"Укажите полный путь к файлу вместе с папкой, а не только имя {_name(exc.path)} "
            "(кнопка «Обзор…» подставит его сама)."
        )
    if isinstance(exc, DatabaseExistsError):
        return (
            f"Файл {_name(exc.path)} уже существует, новая база не создана. Укажите другое "
            "имя или откройте этот файл («Файл → Открыть…»)."
        )
    if isinstance(exc, FolderNotCreatedError):
        return (
            f"Не удалось создать папку {_name(exc.folder)}: {_os_reason(exc.errno)}. "
            "Выберите другую папку."
        )
    if isinstance(exc, FileNotCreatableError):
        return (
            f"Не удалось создать файл {_name(exc.path)}: {_os_reason(exc.errno)}. "
            "Выберите другое имя или другую папку."
        )
    return describe_exchange_error(exc)


def describe_error(exc: BaseException) -> str:  # noqa: PLR0911 (one branch per kind)
    """Return a clear Russian message about ``exc`` for the user.

    Every typed error of :mod:`shnor_desktop.models.errors` and of
    :mod:`shnor_desktop.services.backup` has its own wording; file-system and
    SQLite errors get a general one, and anything else names its type.
    """
    if isinstance(exc, DomainError):
        text = _domain(exc)
        if text is not None:
            return text
        return f"Операция не выполнена: {type(exc).__name__} {exc}".rstrip() + "."
    if isinstance(exc, KeyboardInterrupt):
        return "Прервано пользователем."
    if isinstance(exc, DemoCancelled):
        return "Создание демонстрационной базы отменено; файл не записан."
    if isinstance(exc, OSError):
        return _os_error(exc)
    if isinstance(exc, sqlite3.Error):
        return _sqlite_error(exc)
    if isinstance(exc, MemoryError):
        return "Не хватает памяти для этой операции."
    detail = str(exc)
    return f"Непредвиденная ошибка ({type(exc).__name__}){': ' + detail if detail else ''}."


# --------------------------------------------------------------------------- the write path
_ISSUES: dict[str, str] = {
    "share_range": "доля должна быть от 0 до 100 %",
    "negative": "значение не может быть отрицательным",
    "not_integer": "нужно целое число, например 26",
    "not_date": "нужна дата, например 31.08.2024",
    "not_flag": "нужно «да» или «нет»",
    "required": "поле обязательно",
    "unknown_group": "неизвестная группа",
    "self_parent": "школа не может быть филиалом самой себя",
    "self_mentor": "школа не может быть наставником самой себе",
    "parent_is_branch": "филиал может относиться только к школе, не к филиалу",
    "has_branches": "у школы есть свои филиалы: она не может стать филиалом",
    "unknown_school": "такой школы нет в базе",
    "phone_format": "телефон пишется цифрами, например 8 (84579) 5-12-34",
    "email_format": "адрес почты пишется так: school@example.ru",
    "duplicate_year": "показатели района за этот учебный год уже есть",
    "no_district": "сначала заполните сведения о районе",
    "duplicate_code": "показатель с таким номером в программе уже есть",
    "duplicate_value": "значение за этот учебный год уже есть",
    "parent_cycle": "показатель не может входить в самого себя или в свой подпоказатель",
    "parent_other_programme": "показатель может входить только в показатель той же программы",
    "unknown_indicator": "такого показателя нет в базе",
    "unknown_computation": "неизвестный способ вычисления показателя",
    "computed_actual": (
        "фактическое значение вычисляется по данным; заменить его можно только с подтверждением"
    ),
    "needs_participants": "сначала введите число участников: с него начинается строка результатов",
    "not_json": "значение настройки записано с ошибкой и не читается",
    "period_order": "год окончания программы не может быть раньше года начала",
    "interval_order": "срок не может закончиться раньше, чем начался",
    "section_cycle": "раздел не может входить в самого себя или в свой подраздел",
    "section_other_programme": "раздел может входить только в раздел той же программы",
    "unknown_section": "такого раздела нет в базе",
    "concern_one": "укажите либо школу, либо группу школ",
    "duplicate_concern": "эта школа или группа у мероприятия уже указана",
    "factor_years_order": "последний год действия фактора не может быть раньше первого",
    "duplicate_factor_code": "фактор с таким кодом в перечне уже есть",
    "unknown_factor": "такого фактора риска нет в перечне",
    "unknown_activity": "такого мероприятия дорожной карты нет в базе",
    "due_before_visit": "срок исполнения рекомендаций не может быть раньше даты посещения",
    "duplicate_deficit": "такой дефицит в списке уже есть",
    "secretary_is_chair": "секретарём заседания не может быть его председатель",
    "duplicate_attendee": "этот человек уже есть в списке присутствовавших",
    "vote_mixed": (
        "голосование либо единогласное, либо с числом голосов «за», «против» и "
        "«воздержались» — не то и другое сразу"
    ),
}
_ISSUES_WITH_ARGS: dict[str, tuple[int, str]] = {
    "too_large": (2, "слишком большое значение (не больше {1})"),
    "levels_sum": (2, "сумма по уровням ({0}) не равна общему контингенту ({1})"),
    "bused_over_total": (2, "подвозится больше ({0}), чем обучается ({1})"),
    "vacancies_over_teachers": (2, "вакансий ({0}) больше, чем педагогов ({1})"),
    "marks_differ_participants": (
        2,
        "сумма отметок «2»–«5» ({0}) не равна числу участников ({1})",
    ),
    "participants_over_due": (2, "участников ({0}) больше, чем должно было участвовать ({1})"),
    "factor_years_in_use": (
        1,
        "фактор указан в рисковых профилях школ (учебные годы: {0}): годы его действия "
        "должны их включать",
    ),
    "factor_not_in_year": (2, "фактор «{0}» не входит в перечень {1} учебного года"),
    "duplicate_meeting_number": (
        1,
        "протокол с таким номером в {0} учебном году уже есть",
    ),
}


def field_spec(issue: FieldIssue) -> FieldSpec | None:
    """The spec of the field an issue is about (from its table's rules), if known."""
    table_rules = rules.rules_for(issue.table) if issue.table else None
    if table_rules is not None and issue.field in table_rules.fields:
        return table_rules.fields[issue.field]
    return PROFILE_FIELD_BY_NAME.get(issue.field) or SCHOOL_FIELD_BY_NAME.get(issue.field)


def describe_issue(issue: FieldIssue) -> str:  # noqa: PLR0911 (one branch per kind of hint)
    """Say what is wrong with a value, without the field's name («нужно целое число»)."""
    spec = field_spec(issue)
    args = issue.args
    if issue.code in _ISSUES:
        return _ISSUES[issue.code]
    if issue.code in _ISSUES_WITH_ARGS:
        count, text = _ISSUES_WITH_ARGS[issue.code]
        return text.format(*(_figure(a) for a in args)) if len(args) >= count else text
    if issue.code == "not_number":
        if spec is not None and spec.kind in ("count", "int", "person", "school", "ref"):
            return "нужно целое число, например 26"
        return "нужно число, например 26,8"
    if issue.code == "out_of_range" and len(args) >= 3:
        low, high = args[1], args[2]
        if spec is not None and spec.name == "year":
            return f"нужен год от {int(low)} до {int(high)}"
        return f"нужно число от {_figure(low)} до {_figure(high)}"
    if issue.code == "unknown_choice" and spec is not None and spec.choices:
        return "допустимые значения: " + ", ".join(spec.choices)
    return f"недопустимое значение ({issue.code})"


def _figure(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format_number(value, 1) if isinstance(value, int | float) else str(value)


def describe_invalid(exc: InvalidValueError) -> str:
    """«Доля обучающихся с ОВЗ»: доля должна быть от 0 до 100 %. Значение не сохранено."""
    spec = field_spec(exc.issue)
    label = spec.label if spec is not None else exc.issue.field
    where = f" (раздел {table_name(exc.issue.table)})" if exc.issue.table else ""
    return f"«{label}»{where}: {describe_issue(exc.issue)}. Значение не сохранено."


def _write_path(exc: DomainError) -> str | None:
    if isinstance(exc, InvalidValueError):
        return describe_invalid(exc)
    if isinstance(exc, DatabaseLockedError):
        if exc.holder == "operation":
            return (
                "Идёт длительная операция с базой (импорт, откат или отмена большого набора "
                "изменений): изменение не сохранено. Дождитесь её окончания и повторите."
            )
        return (
            f"База {_name(exc.path)} сейчас занята другой программой или другим окном "
            "ШНОР Desktop: изменение не сохранено. Закройте базу там или повторите через "
            "несколько секунд."
        )
    if isinstance(exc, NestedChangeSetError):
        return (
            f"Внутренняя ошибка программы: действие вида «{exc.inner_kind}» нельзя "
            f"выполнить внутри действия вида «{exc.outer_kind}». База данных не изменена."
        )
    if isinstance(exc, Cancelled):
        return "Операция отменена; база данных не изменена."
    return None


# --------------------------------------------------------------------------- signing
def _signing(exc: DomainError) -> str | None:  # noqa: PLR0911 (one branch per error type)
    """Word the errors of signing and checking signatures (services/signing.py)."""
    from shnor_desktop.services import signing as sg

    if isinstance(exc, sg.WrongPinError):
        return (
            f"Неверный ПИН-код: файл сертификата {_name(exc.path)} не открылся. "
            "Проверьте раскладку клавиатуры и Caps Lock и введите ПИН-код ещё раз. "
            "Документ не подписан."
        )
    if isinstance(exc, sg.CertificateFileError):
        return (
            f"Файл {_name(exc.path)} не является файлом сертификата с закрытым ключом "
            "(PKCS#12, .p12 или .pfx) или повреждён. Документ не подписан."
        )
    if isinstance(exc, sg.NoPrivateKeyError):
        return (
            f"В файле {_name(exc.path)} нет закрытого ключа или сертификата: подписать им "
            "нельзя. Экспортируйте сертификат вместе с закрытым ключом."
        )
    if isinstance(exc, sg.CertificateExpiredError):
        return (
            f"Срок действия сертификата {_name(exc.path)} истёк "
            f"{exc.valid_to.astimezone():%d.%m.%Y}: подписать им нельзя. Документ не подписан."
        )
    if isinstance(exc, sg.CertificateNotYetValidError):
        return (
            f"Сертификат {_name(exc.path)} начнёт действовать только "
            f"{exc.valid_from.astimezone():%d.%m.%Y %H:%M}. Проверьте дату и время на "
            "компьютере. Документ не подписан."
        )
    if isinstance(exc, sg.PinTooShortError):
        return (
            f"ПИН-код слишком короткий ({exc.length} зн.): нужно не меньше {exc.minimum} "
            "знаков. Сертификат не создан."
        )
    if isinstance(exc, sg.PdfEncryptedError):
        return (
            f"Файл {_name(exc.path)} защищён паролем: такой PDF нельзя ни подписать, "
            "ни проверить. Сохраните его без пароля."
        )
    if isinstance(exc, sg.PdfUnreadableError):
        return f"Файл {_name(exc.path)} не является документом PDF или повреждён."
    return _cryptopro(exc)


def _cryptopro(exc: DomainError) -> str | None:
    from shnor_desktop.services import cryptopro as cp

    if isinstance(exc, cp.CryptoProMissingError):
        return (
            "КриптоПро (программа cryptcp) на этом компьютере не найден: подпись ГОСТ "
            "сделать нельзя. Установите КриптоПро CSP и cryptcp или подпишите документ "
            "сертификатом из файла .p12/.pfx."
        )
    if isinstance(exc, cp.CryptoProFailedError):
        if exc.timed_out:
            return (
                "КриптоПро не ответил вовремя (возможно, окно ввода ПИН-кода осталось "
                "без ответа). Документ не подписан."
            )
        said = f" КриптоПро сообщил: {exc.output}" if exc.output else ""
        return f"КриптоПро не подписал документ (код {exc.code}).{said} Документ не подписан."
    return None


# --------------------------------------------------------------------------- risk profiles
def _risk_errors(exc: DomainError) -> str | None:
    """Word the errors of the reference list of risk factors (models/risks.py)."""
    from shnor_desktop.models import risks

    if isinstance(exc, risks.FactorInUseError):
        uses = ", ".join(
            f"{year}/{(year + 1) % 100:02d} — {count} {_schools(count)}"
            for year, count in sorted(exc.years.items())
        )
        return (
            f"Фактор «{exc.name}» указан в рисковых профилях школ ({uses}) и не удалён. "
            "Чтобы он больше не предлагался, укажите последний год его действия."
        )
    if isinstance(exc, risks.ReferenceListError):
        return (
            f"Перечень факторов риска, поставляемый с программой ({_name(exc.path)}), "
            "не читается: файл отсутствует или повреждён. Переустановите программу; "
            "факторы можно добавить и вручную."
        )
    return None


# --------------------------------------------------------------------------- tutor journal
def _deficit_errors(exc: DomainError) -> str | None:
    """Word the refusal to remove a deficit of the journal's list (models/journal.py)."""
    from shnor_desktop.models import journal

    if not isinstance(exc, journal.DeficitInUseError):
        return None
    tens, units = exc.uses % 100, exc.uses % 10
    entries = "записи" if units == 1 and tens != 11 else "записях"
    return (
        f"Дефицит «{exc.name}» указан в {exc.uses} {entries} журнала тьюторов и не удалён: "
        "записи остались бы без него. Переименуйте его или сначала уберите из этих записей."
    )


def _schools(count: int) -> str:
    tens, units = count % 100, count % 10
    if 11 <= tens <= 14 or units == 0 or units >= 5:
        return "школ"
    return "школа" if units == 1 else "школы"
