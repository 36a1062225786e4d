"""The main window: navigation among the panels, menus, status bar, database life cycle."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QMargins,
    QPoint,
    QRect,
    QSettings,
    QSize,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFontMetrics,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop import APP_NAME
from shnor_desktop.models.database import Database
from shnor_desktop.models.db import writable
from shnor_desktop.models.errors import Cancelled, DomainError, NotADatabaseError
from shnor_desktop.models.jobs import JobState
from shnor_desktop.services import backup, files
from shnor_desktop.services.demo import DemoCancelled
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.common import DataBus, Panel
from shnor_desktop.ui.crash import MediumWatch, log_dir, show_storage_lost
from shnor_desktop.ui.dialogs import NewDatabaseWizard, RestoreDialog, reason_text
from shnor_desktop.ui.exchange.actions import ExchangeActions
from shnor_desktop.ui.messages import show_warning
from shnor_desktop.ui.runner import BackgroundTask
from shnor_desktop.ui.single_instance import Answer, DatabaseHolder, ask_holder
from shnor_desktop.ui.widgets import install_wheel_guard

MAX_RECENT = 8
NAV_MIN_WIDTH = 120
"""The narrowest the navigation gets on a small window (titles wrap)."""
BACKGROUND_ROWS = 2000
"""An undo or redo of more rows than this runs in a worker with a progress dialog."""


FRAME_ALLOWANCE = QMargins(8, 38, 8, 8)
"""The window frame assumed until the window manager has framed the window (title bar)."""
DEFAULT_SIZE = QSize(1280, 800)


def fitted_geometry(
    available: QRect, frame: QMargins, wanted: QSize, top_left: QPoint | None = None
) -> QRect:
    """Return the window geometry (without frame) that fits, frame included, into ``available``.

    The size is ``wanted`` or less; the window stays at ``top_left`` as far as
    it fits, else it is centred.
    """
    width = max(1, min(wanted.width(), available.width() - frame.left() - frame.right()))
    height = max(1, min(wanted.height(), available.height() - frame.top() - frame.bottom()))
    low_x, low_y = available.left() + frame.left(), available.top() + frame.top()
    high_x = available.left() + available.width() - frame.right() - width
    high_y = available.top() + available.height() - frame.bottom() - height
    if top_left is None:
        x, y = (low_x + high_x) // 2, (low_y + high_y) // 2
    else:
        x = min(max(top_left.x(), low_x), high_x)
        y = min(max(top_left.y(), low_y), high_y)
    return QRect(x, y, width, height)


class PathLabel(QLabel):
    """A label that shortens a long path in the middle, so the file name stays visible."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        """Show ``text``, shortened in the middle to the label's width (whole in the tooltip)."""
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        """The text as set, before shortening."""
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        super().setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideMiddle, self.width()))


def _same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name the same file (another spelling, a link)."""
    try:
        return a.resolve() == Path(b).resolve()
    except OSError:
        return False


def _wrapped(title: str, metrics: QFontMetrics, room: int) -> str:
    """The title on one line when it fits in ``room`` pixels, else on two, split at a space."""
    if metrics.horizontalAdvance(title) <= room or " " not in title:
        return title
    words = title.split(" ")
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    first, second = min(
        splits, key=lambda s: max(metrics.horizontalAdvance(s[0]), metrics.horizontalAdvance(s[1]))
    )
    return f"{first}\n{second}"


class WelcomePage(QWidget):
    """What the window shows while no database is open."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = QLabel(self.tr("ШНОР Desktop"))
        title.setStyleSheet("font-size: 22pt; font-weight: bold;")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        text = QLabel(
            self.tr(
                "Программа поддержки школ с низкими образовательными результатами.\n"
                "Создайте базу данных района или откройте существующую."
            )
        )
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(text)
        for label, slot in (
            (self.tr("Создать базу данных…"), partial(window.new_database, None)),
            (self.tr("Открыть базу данных…"), window.choose_database),
            (self.tr("Открыть демонстрационный район"), window.open_demo),
        ):
            button = QPushButton(label)
            button.setMinimumWidth(260)
            button.clicked.connect(slot)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)


class MainWindow(QMainWindow):
    """Navigation on the left, the current panel on the right."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else QSettings()
        self.db: Database | None = None
        self.bus = DataBus(self)
        self.tasks: list[BackgroundTask] = []
        self.bus.sig_changed.connect(self._on_bus_changed)
        install_wheel_guard()  # the wheel scrolls forms, never edits an unfocused field
        self.setWindowTitle(APP_NAME)
        self._demo_dir: Path | None = None
        # One window per database: knocks of a second start bring this window forward.
        self.holder = DatabaseHolder(self)
        self.holder.sig_activate.connect(self.bring_forward)
        # A database on a USB stick that is pulled out is noticed while the window idles.
        self.medium = MediumWatch(self)
        self.medium.sig_lost.connect(self.storage_lost)
        self.medium.sig_back.connect(self._on_medium_back)
        self._last_backup: backup.BackupInfo | None = None
        self._storage_box: QMessageBox | None = None
        self._fitted = False
        # First start: as large as a typical laptop allows, its frame included (a window
        # as tall as the screen hides the status bar below it); later, what the user left.
        self.setGeometry(
            fitted_geometry(self.screen().availableGeometry(), FRAME_ALLOWANCE, DEFAULT_SIZE)
        )
        self._build_panels()
        self._build_actions()
        # Export, templates, import and files dropped on the window (ui/exchange).
        self.exchange = ExchangeActions(self)
        self.setAcceptDrops(True)
        self._build_menus()
        self._build_status()
        self._restore_geometry()
        self._update_actions()

    # --- construction ------------------------------------------------------------------
    def _build_panels(self) -> None:
        from shnor_desktop.ui.changes_panel import ChangesPanel
        from shnor_desktop.ui.district_panel import DistrictPanel
        from shnor_desktop.ui.events_panel import EventsPanel
        from shnor_desktop.ui.exchange.history_panel import ImportHistoryPanel
        from shnor_desktop.ui.groups_panel import GroupsPanel
        from shnor_desktop.ui.indicators_panel import IndicatorsPanel
        from shnor_desktop.ui.journal_panel import JournalPanel
        from shnor_desktop.ui.meetings_panel import MeetingsPanel
        from shnor_desktop.ui.overview_panel import OverviewPanel
        from shnor_desktop.ui.passport_panel import PassportPanel
        from shnor_desktop.ui.people_panel import PeoplePanel
        from shnor_desktop.ui.reports_panel import ReportsPanel
        from shnor_desktop.ui.results_panel import ResultsPanel
        from shnor_desktop.ui.risks_panel import RisksPanel
        from shnor_desktop.ui.roadmap_panel import RoadmapPanel

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setStyleSheet("QListWidget::item { padding: 7px; }")
        self.stack = QStackedWidget()
        roadmap = RoadmapPanel(self.bus)
        overview = OverviewPanel(self.bus)
        # «Сводка» shows a clicked activity in «Дорожная карта».
        overview.sig_activity_requested.connect(partial(self._show_activity, roadmap))
        meetings = MeetingsPanel(self.bus)
        # «Заседания» shows an activity made from a decision in «Дорожная карта».
        meetings.sig_activity_requested.connect(partial(self._show_activity, roadmap))
        # «Дорожная карта» shows the protocol an activity's decision came from.
        roadmap.sig_meeting_requested.connect(partial(self._show_meeting, meetings))
        self.panels: list[Panel] = [
            PassportPanel(self.bus),
            ResultsPanel(self.bus),
            DistrictPanel(self.bus),
            GroupsPanel(self.bus),
            IndicatorsPanel(self.bus),
            roadmap,
            PeoplePanel(self.bus),
            JournalPanel(self.bus),
            EventsPanel(self.bus),
            RisksPanel(self.bus),
            meetings,
            overview,
            ReportsPanel(self.bus),
            ImportHistoryPanel(self.bus),
            ChangesPanel(self.bus),
        ]
        for panel in self.panels:
            self.nav.addItem(panel.title())
            self.stack.addWidget(panel)
            panel.sig_status.connect(self._on_panel_status)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setTextElideMode(Qt.TextElideMode.ElideNone)
        self._nav_width = self.nav.sizeHintForColumn(0) + 24
        self.nav.setFixedWidth(self._nav_width)
        self.nav.setCurrentRow(0)
        self.workspace = QWidget()
        row = QHBoxLayout(self.workspace)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.welcome = WelcomePage(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(self.workspace)
        self.setCentralWidget(self.pages)

    def _show_activity(self, roadmap: Any, activity_id: int) -> None:
        """Go to «Дорожная карта» and show an activity there."""
        self.nav.setCurrentRow(self.panels.index(roadmap))
        roadmap.show_activity(activity_id)

    def _show_meeting(self, meetings: Any, meeting_id: int, item_id: int) -> None:
        """Go to «Заседания» and show a protocol there, at one of its agenda items."""
        self.nav.setCurrentRow(self.panels.index(meetings))
        meetings.show_meeting(meeting_id, item_id)

    @property
    def passport_panel(self) -> Any:
        """The school passport panel."""
        return self.panels[0]

    def _build_actions(self) -> None:
        def action(text: str, slot: Any, shortcut: Any = None) -> QAction:
            act = QAction(text, self)
            act.triggered.connect(slot)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            return act

        self.act_new = action(
            self.tr("Создать базу данных…"), self.new_database, QKeySequence.StandardKey.New
        )
        self.act_open = action(
            self.tr("Открыть…"), self.choose_database, QKeySequence.StandardKey.Open
        )
        self.act_backup = action(self.tr("Создать резервную копию"), self.backup_now)
        self.act_restore = action(self.tr("Восстановить из резервной копии…"), self.restore)
        self.act_quit = action(self.tr("Выход"), self.close, QKeySequence.StandardKey.Quit)
        self.act_undo = action(self.tr("Отменить"), self.undo, QKeySequence.StandardKey.Undo)
        self.act_redo = action(self.tr("Повторить"), self.redo, QKeySequence("Ctrl+Y"))
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.act_about = action(self.tr("О программе"), self.about)
        self.act_where = action(self.tr("Где хранятся данные"), self.where_data)
        self.act_settings = action(self.tr("Настройки…"), self.open_settings)
        self.act_verify = action(self.tr("Проверить подпись PDF…"), self.open_verify_dialog)
        self.act_test_certificate = action(
            self.tr("Создать тестовый сертификат…"), self.open_test_certificate_dialog
        )

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&Файл"))
        file_menu.addAction(self.act_new)
        file_menu.addAction(self.act_open)
        self.recent_menu = file_menu.addMenu(self.tr("Недавние файлы"))
        # Filled again when shown: a file deleted meanwhile is not offered.
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        file_menu.addAction(self.exchange.act_export)
        file_menu.addSeparator()
        file_menu.addAction(self.act_backup)
        file_menu.addAction(self.act_restore)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit_menu = bar.addMenu(self.tr("&Правка"))
        edit_menu.addAction(self.act_undo)
        edit_menu.addAction(self.act_redo)
        self.exchange.build_menu(bar)
        tools_menu = bar.addMenu(self.tr("С&ервис"))
        tools_menu.addAction(self.act_settings)
        tools_menu.addSeparator()
        tools_menu.addAction(self.act_verify)
        tools_menu.addAction(self.act_test_certificate)
        help_menu = bar.addMenu(self.tr("&Справка"))
        help_menu.addAction(self.act_where)
        help_menu.addAction(self.act_about)
        self._fill_recent()

    def _build_status(self) -> None:
        # The path is an ordinary status bar widget: a message takes its place for a
        # few seconds.  (As a permanent widget it left messages no room at all.)
        self.db_label = PathLabel()
        self.db_label.setObjectName("database_path")
        self.backup_label = QLabel()
        self.statusBar().addWidget(self.db_label, 1)
        self.statusBar().addPermanentWidget(self.backup_label)

    # --- settings ----------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        panel = self.settings.value("window/panel", 0)
        try:
            self.nav.setCurrentRow(int(panel))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            self.nav.setCurrentRow(0)

    def recent_files(self) -> list[str]:
        """Databases opened lately that still exist, newest first (missing ones are forgotten)."""
        value = self.settings.value("recent", [])
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        stored = [str(v) for v in items if v]
        existing = [p for p in stored if Path(p).is_file()]
        if existing != stored:
            self.settings.setValue("recent", existing)
        return existing

    def last_database(self) -> Path | None:
        """The database open when the program was last closed, if it still exists."""
        value = self.settings.value("last_database", "")
        path = Path(str(value)) if value else None
        return path if path is not None and path.is_file() else None

    def _remember(self, path: Path) -> None:
        recent = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        self.settings.setValue("recent", recent[:MAX_RECENT])
        self.settings.setValue("last_database", str(path))
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        for path in recent:
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda _checked=False, p=path: self.open_database(Path(p)))
        self.recent_menu.setEnabled(bool(recent))

    # --- database life cycle ---------------------------------------------------------------
    def open_database(
        self,
        path: Path,
        *,
        offer_create: bool = False,
        demo_dir: Path | None = None,
        answer: Answer | None = None,
    ) -> bool:
        """Open a database file after checking it; True when it is open.

        Nothing is turned into a database without asking: a missing file
        (``offer_create``: a path named on the command line) or a 0-byte one
        gets the question and then the wizard.  A damaged, truncated or
        overwritten file is not opened; the newest sound backup is offered
        instead.  ``demo_dir`` marks a demo database in a temporary folder: it
        is neither remembered nor backed up, and the folder goes when it closes.

        One window per database: when another window of the program has the
        file, it is brought forward instead (False); when that window does not
        answer (``answer``: the knock made already at start-up), or the file is
        write-protected, the database opens read-only and the user is told why.
        """
        path = Path(path)
        if self.db is not None and _same_file(self.db.path, path):
            self.bring_forward()
            return True
        if answer is None and demo_dir is None:
            answer = ask_holder(path)  # at most ~2 s, and only when the other window hangs
        if answer is Answer.FORWARDED:
            self.statusBar().showMessage(
                self.tr(
                    "База «{0}» уже открыта в другом окне программы: оно выведено вперёд."
                ).format(path),
                10000,
            )
            return False
        read_only = ""
        if answer is Answer.HUNG:
            read_only = "instance"
        elif demo_dir is None and path.is_file() and not writable(path):
            read_only = "file"
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # quick_check of a big file
        try:
            db = backup.open_with_backup(path, read_only=bool(read_only))
        except (DomainError, OSError, sqlite3.Error) as exc:
            QApplication.restoreOverrideCursor()
            return self._on_open_failed(path, exc, offer_create)
        QApplication.restoreOverrideCursor()
        self._install(db, demo_dir=demo_dir)
        if read_only:
            self._tell_read_only(db.path, read_only)
        return True

    def _tell_read_only(self, path: Path, reason: str) -> QMessageBox:
        """Say plainly why the database opened for viewing only (a window-modal box)."""
        if reason == "instance":
            text = self.tr(
                "База «{0}» уже открыта в другом окне программы, но то окно не отвечает "
                "(возможно, оно занято долгой работой или зависло)."
            ).format(path)
            more = self.tr(
                "Чтобы ничего не потерять, здесь база открыта только для просмотра: изменения "
                "в этом окне не сохраняются. Работайте в том окне, когда оно ответит; если оно "
                "так и не ответит, закройте его (Диспетчер задач) и откройте базу снова."
            )
        else:
            text = self.tr(
                "Файл базы «{0}» защищён от записи (атрибут «Только чтение», носитель с "
                "защитой или папка без права записи)."
            ).format(path)
            more = self.tr(
                "База открыта только для просмотра: изменения не сохраняются. Чтобы работать "
                "с ней, снимите защиту в свойствах файла или скопируйте файл в папку "
                "«Документы» и откройте копию."
            )
        box = QMessageBox(
            QMessageBox.Icon.Information, self.tr("Только для просмотра"), text, parent=self
        )
        box.setObjectName("read_only_notice")
        box.setInformativeText(more)
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.button(QMessageBox.StandardButton.Close).setText(self.tr("Понятно"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def bring_forward(self) -> None:
        """Show this window in front (another start asked for its database)."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()
        self.statusBar().showMessage(
            self.tr("Эту базу открыли ещё раз — она уже открыта в этом окне."), 8000
        )

    def storage_lost(self) -> None:
        """The database's medium went away: say so once, naming the last backup."""
        if self.db is None or (self._storage_box is not None and self._storage_box.isVisible()):
            return
        # The backups usually sit beside the file and went away with it: the last one
        # the window knew of is named then.
        info = backup.last_backup(self.db.path) or self._last_backup
        self._storage_box = show_storage_lost(
            self, self.db.path, (info.path, info.created_at) if info else None, modal=False
        )

    def _on_medium_back(self) -> None:
        self.statusBar().showMessage(
            self.tr("Файл базы снова доступен; повторите несохранённое изменение."), 10000
        )

    def _on_open_failed(self, path: Path, exc: Exception, offer_create: bool) -> bool:
        """Say why ``path`` did not open and offer the way out; True if it opened after all."""
        if isinstance(exc, files.DatabaseMissingError):
            self._on_database_missing(path, offer_create)
        elif isinstance(exc, files.EmptyDatabaseFileError) and exc.size == 0:
            self._offer_create(path, exc)
        elif isinstance(
            exc, files.DatabaseDamagedError | files.DatabaseTruncatedError | NotADatabaseError
        ):
            return self._offer_restore(path, exc)
        else:
            QMessageBox.critical(self, self.tr("База не открыта"), describe_error(exc))
        return False

    def _install(self, db: Database, *, demo_dir: Path | None = None, back_up: bool = True) -> None:
        """Show ``db`` in the window instead of the database before."""
        old_demo = self._demo_dir
        self._wait_for_tasks()  # a backup of the database before must end before it closes
        self._set_database(db)
        self._demo_dir = demo_dir
        if db.read_only:
            # A viewer writes nothing, not even a backup; another window may hold the file.
            self.setWindowTitle(self.tr("{0} (только просмотр)").format(self.windowTitle()))
            self.db_label.setText(self.tr("База (только просмотр): {0}").format(db.path))
        elif demo_dir is None:
            self.holder.hold(db.path)
            self._remember(db.path)
            if back_up:
                self._start_backup("open")
        else:
            self.setWindowTitle(self.tr("{0} (демонстрационная база)").format(self.windowTitle()))
            self.db_label.setText(
                self.tr("Демонстрационная база (удаляется при закрытии): {0}").format(db.path)
            )
        if old_demo is not None and old_demo != demo_dir:
            files.remove_demo_folder(old_demo)

    def _on_database_missing(self, path: Path, offer_create: bool) -> None:
        if offer_create:
            self._offer_create(path, None)
            return
        show_warning(
            self,
            self.tr("Файл не найден"),
            self.tr(
                "Файл «{0}» не найден: возможно, его удалили, переименовали или он лежит "
                "на отключённом носителе."
            ).format(path),
        )
        self._fill_recent()  # a missing file leaves the list of recent files

    def _offer_create(self, path: Path, exc: BaseException | None) -> None:
        """Ask whether to make a new database in a missing or 0-byte file; open the wizard."""
        text = describe_error(exc) if exc is not None else self.tr("Файла «{0}» нет.").format(path)
        box = QMessageBox(
            QMessageBox.Icon.Question, self.tr("Новая база данных"), text, parent=self
        )
        box.setInformativeText(self.tr("Создать в этом файле новую базу данных района?"))
        create = box.addButton(self.tr("Создать…"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Отмена"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(create)
        box.exec()
        if box.clickedButton() is create:
            self.new_database(path)

    def _offer_restore(self, path: Path, exc: DomainError) -> bool:
        """Say why ``path`` cannot be opened, offer its newest sound backup; True if restored."""
        backups = backup.list_backups(path)
        if isinstance(exc, NotADatabaseError) and not backups:
            QMessageBox.critical(self, self.tr("База не открыта"), describe_error(exc))
            return False
        title = self.tr("База повреждена")
        if isinstance(exc, files.DatabaseTruncatedError):
            title = self.tr("Файл базы обрезан")
        elif isinstance(exc, NotADatabaseError):
            title = self.tr("Файл не является базой")
        good = backup.newest_sound_backup(path)
        folder = backup.backup_dir_for(path)
        box = QMessageBox(QMessageBox.Icon.Critical, title, describe_error(exc), parent=self)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        restore_button = None
        if good is not None:
            box.setInformativeText(
                self.tr(
                    "Последняя исправная резервная копия: от {0} ({1}). Восстановить базу "
                    "из неё? Нынешний файл не пропадёт: он будет сохранён в папке копий «{2}»."
                ).format(
                    good.created_at.strftime("%d.%m.%Y %H:%M"), reason_text(good.reason), folder
                )
            )
            restore_button = box.addButton(
                self.tr("Восстановить"), QMessageBox.ButtonRole.AcceptRole
            )
        else:
            box.setInformativeText(
                self.tr(
                    "Исправных резервных копий этой базы в папке «{0}» нет. Если копия есть "
                    "на другом носителе, замените ею повреждённый файл, а сам файл сохраните "
                    "отдельно."
                ).format(folder)
            )
        choose_button = None
        if len(backups) > 1 or (backups and good is None):
            choose_button = box.addButton(
                self.tr("Выбрать копию…"), QMessageBox.ButtonRole.ActionRole
            )
        close_button = box.addButton(self.tr("Не открывать"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore_button or close_button)
        box.exec()
        clicked = box.clickedButton()
        if good is not None and clicked is restore_button:
            return self._restore_into(good.path, path)
        if choose_button is not None and clicked is choose_button:
            return self._choose_and_restore(path)
        return False

    def _set_database(self, db: Database | None) -> None:
        old = self.db
        self.db = db
        self.bus.attach(db)
        for panel in self.panels:
            panel.set_database(db)
        if old is not None:
            # Panels let go of the old database before its connection closes.
            old.close()
        self.pages.setCurrentIndex(1 if db is not None else 0)
        self.medium.watch(db.path if db is not None else None)
        self.db_label.setText(self.tr("База: {0}").format(db.path) if db else "")
        self._show_last_backup()
        title = APP_NAME
        if db is not None:
            district = db.district.district()
            title = f"{district.name if district else db.path.stem} — {APP_NAME}"
        self.setWindowTitle(title)
        self._update_actions()

    def close_database(self) -> None:
        """Close the open database (a demo database's temporary folder goes with it)."""
        self._wait_for_tasks()
        self.holder.release()
        self._set_database(None)
        if self._demo_dir is not None:
            files.remove_demo_folder(self._demo_dir)
            self._demo_dir = None

    def open_demo(self) -> BackgroundTask | None:
        """Build a fresh demo district (seed 004) in a worker and open it when it is ready.

        The build runs off the GUI thread with progress and «Отмена» (a cancel
        leaves no file).  The folder is deleted when the demo database is
        closed; the demo is never remembered as the last or a recent database.
        Returns the running task (``sig_finished`` once the demo is open).
        """
        from shnor_desktop.services.demo import build_demo

        files.remove_stale_demo_folders()
        try:
            folder = files.make_demo_folder()
        except OSError as exc:
            QMessageBox.critical(self, self.tr("Демо-база не создана"), describe_error(exc))
            return None
        path = folder / "Демо-район.sqlite"
        status = self.tr("Создание демонстрационного района…")

        def work(state: JobState) -> Path:
            state.set_status(status)
            build_demo(path, progress=state.report, cancel=state.is_cancelled)
            return path

        task = BackgroundTask(work, self, self.tr("Демонстрационный район"))
        task.sig_failed.connect(lambda exc: self._on_demo_failed(exc, folder))
        # Connected before the caller's own slots: the demo is open when they run.
        task.sig_finished.connect(lambda _path: self._on_demo_built(path, folder))
        self.tasks.append(task)
        task.start()
        return task

    def _on_demo_built(self, path: Path, folder: Path) -> None:
        self._forget_finished_tasks()
        if not self.open_database(path, demo_dir=folder):
            files.remove_demo_folder(folder)

    def _on_demo_failed(self, exc: object, folder: Path) -> None:
        self._forget_finished_tasks()
        files.remove_demo_folder(folder)
        if isinstance(exc, DemoCancelled | Cancelled):
            self.statusBar().showMessage(self.tr("Создание демо-базы отменено"), 5000)
        elif isinstance(exc, BaseException):
            QMessageBox.critical(self, self.tr("Демо-база не создана"), describe_error(exc))

    def choose_database(self) -> None:
        """Ask for a database file and open it."""
        last = self.last_database()
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Открыть базу данных"),
            str(last or ""),
            self.tr("База ШНОР (*.sqlite *.db);;Все файлы (*)"),
        )
        if path:
            self.open_database(Path(path))

    def new_database(self, path: Path | None = None) -> NewDatabaseWizard:
        """Open the first-run wizard (``path`` presets the file); it creates the database.

        The wizard is window-modal and not blocking; it checks the path on its
        last page and stays open with the reason when the database cannot be made.
        """
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        wizard = NewDatabaseWizard(
            Path(documents or Path.home()),
            self,
            path=path,
            create=self.try_create_database,
            open_demo=self.open_demo if self.db is None else None,
        )
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.open()
        return wizard

    def try_create_database(
        self, path: Path, district: dict[str, Any], coordinator: dict[str, Any]
    ) -> str | None:
        """Create a database with its district and coordinator and open it.

        Returns None when done, else the Russian reason (nothing is left behind then).
        """
        try:
            files.check_new_database_path(path)
            db = backup.open_with_backup(path, create=True)
        except (DomainError, OSError, sqlite3.Error) as exc:
            return describe_error(exc)
        try:
            db.district.create(district, coordinator, self.tr("Создание базы данных района"))
        except (DomainError, OSError, sqlite3.Error) as exc:
            db.close()
            files.remove_database_files(path)
            return describe_error(exc)
        self._install(db, back_up=False)
        return None

    def create_database(
        self, path: Path, district: dict[str, Any], coordinator: dict[str, Any]
    ) -> bool:
        """Create a database with its district and coordinator, and open it; say why not."""
        problem = self.try_create_database(path, district, coordinator)
        if problem is not None:
            show_warning(self, self.tr("База не создана"), problem)
            return False
        return True

    # --- backups --------------------------------------------------------------------------
    def _start_backup(self, reason: str, show_progress: bool = False) -> BackgroundTask | None:
        if self.db is None:
            return None
        path = self.db.path

        def work(state: JobState) -> backup.BackupInfo:
            return backup.make_backup(
                path, reason=reason, progress=state.report, cancel=state.is_cancelled
            )

        task = BackgroundTask(
            work, self, self.tr("Резервное копирование"), show_progress=show_progress
        )
        task.sig_finished.connect(self._on_backup_finished)
        task.sig_failed.connect(self._on_backup_failed)
        self.tasks.append(task)
        task.start()
        return task

    def backup_now(self) -> None:
        """Make a backup of the open database now."""
        self._start_backup("manual", show_progress=True)

    def _on_backup_finished(self, info: object) -> None:
        self._forget_finished_tasks()
        self._show_last_backup()
        if isinstance(info, backup.BackupInfo) and info.reason == "manual":
            self.statusBar().showMessage(
                self.tr("Резервная копия сохранена: {0}").format(info.path), 8000
            )

    def _on_backup_failed(self, exc: object) -> None:
        self._forget_finished_tasks()
        if isinstance(exc, backup.BackupCancelled):
            self.statusBar().showMessage(self.tr("Резервное копирование отменено"), 5000)
            return
        message = describe_error(exc) if isinstance(exc, BaseException) else str(exc)
        QMessageBox.warning(self, self.tr("Резервная копия не создана"), message)

    def _forget_finished_tasks(self) -> None:
        self.tasks = [t for t in self.tasks if t.running]

    def _wait_for_tasks(self) -> None:
        for task in self.tasks:
            task.wait()
        self.tasks.clear()

    def _show_last_backup(self) -> None:
        info = backup.last_backup(self.db.path) if self.db is not None else None
        self._last_backup = info  # named when the medium goes away (the folder goes with it)
        self.backup_label.setText(
            self.tr("Резервная копия: {0}").format(info.created_at.strftime("%d.%m.%Y %H:%M"))
            if info
            else (self.tr("Резервных копий нет") if self.db else "")
        )

    def restore(self) -> None:
        """Restore the open database from one of its backups."""
        if self.db is None:
            return
        path = self.db.path
        if not backup.list_backups(path):
            QMessageBox.information(
                self,
                self.tr("Восстановление"),
                self.tr("Резервных копий этой базы пока нет (папка копий: {0}).").format(
                    backup.backup_dir_for(path)
                ),
            )
            return
        self._choose_and_restore(path)

    def _choose_and_restore(self, path: Path) -> bool:
        """Let the user pick a backup of ``path`` and restore it; True when restored and open."""
        dialog = RestoreDialog(backup.list_backups(path), self, backup.backup_dir_for(path))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        chosen = dialog.chosen()
        return chosen is not None and self._restore_into(chosen, path)

    def _restore_into(self, backup_path: Path, path: Path) -> bool:
        """Restore ``backup_path`` into ``path`` (closing it first if open) and open it."""
        was_open = self.db is not None and self.db.path.resolve() == path.resolve()
        if was_open:
            self.close_database()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            saved = backup.restore_backup(backup_path, path)
        except (DomainError, OSError, sqlite3.Error) as exc:
            QApplication.restoreOverrideCursor()
            QMessageBox.critical(self, self.tr("Восстановление не выполнено"), describe_error(exc))
            if was_open:
                self.open_database(path)
            return False
        QApplication.restoreOverrideCursor()
        if not self.open_database(path):
            return False
        self.statusBar().showMessage(
            self.tr("База восстановлена. Прежнее состояние сохранено: {0}").format(saved.path),
            15000,
        )
        return True

    # --- undo ------------------------------------------------------------------------------
    def _on_bus_changed(self, info: object) -> None:
        # The log fed the undo stack itself; the menu only has to say what undo would do.
        del info
        self._update_actions()

    def _on_panel_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def undo(self) -> None:
        """Undo the newest action (a large one, such as an import, in the background)."""
        db = self.db
        info = db.undo.next_undo() if db is not None else None
        if db is not None and info is not None:
            self._step(db.undo.undo, info.row_count, self.tr("Отменено: {0}").format(info.label))

    def redo(self) -> None:
        """Redo the newest undone action."""
        db = self.db
        info = db.undo.next_redo() if db is not None else None
        if db is not None and info is not None:
            self._step(db.undo.redo, info.row_count, self.tr("Повторено: {0}").format(info.label))

    def _step(self, step: Callable[[JobState | None], int], rows: int, done: str) -> None:
        """Run an undo or redo step; one of many rows goes to a worker with progress."""
        if rows <= BACKGROUND_ROWS:
            try:
                step(None)
            except DomainError as exc:
                show_warning(self, self.tr("Не выполнено"), describe_error(exc))
            else:
                self.statusBar().showMessage(done, 4000)
            self._update_actions()
            return
        task = BackgroundTask(step, self, done)
        task.sig_finished.connect(lambda _result: self.statusBar().showMessage(done, 4000))
        task.sig_failed.connect(self._on_step_failed)
        self.tasks.append(task)
        task.start()

    def _on_step_failed(self, exc: object) -> None:
        self._forget_finished_tasks()
        self._update_actions()
        if isinstance(exc, Cancelled):
            self.statusBar().showMessage(self.tr("Отменено пользователем: база не изменена"), 5000)
        elif isinstance(exc, BaseException):
            show_warning(self, self.tr("Не выполнено"), describe_error(exc))

    def _update_actions(self) -> None:
        db = self.db
        self.act_undo.setEnabled(bool(db and db.undo.can_undo))
        self.act_redo.setEnabled(bool(db and db.undo.can_redo))
        self.act_undo.setText(
            self.tr("Отменить: {0}").format(db.undo.undo_label())
            if db and db.undo.can_undo
            else self.tr("Отменить")
        )
        self.act_redo.setText(
            self.tr("Повторить: {0}").format(db.undo.redo_label())
            if db and db.undo.can_redo
            else self.tr("Повторить")
        )
        self.act_backup.setEnabled(db is not None)
        self.act_restore.setEnabled(db is not None)
        self.act_settings.setEnabled(db is not None)  # the settings live in the database
        self.exchange.update_actions()

    def open_settings(self) -> QDialog | None:
        """Open «Настройки» of the open database (thresholds, rules of the groups)."""
        from shnor_desktop.ui.settings_dialog import open_settings

        if self.db is None:
            return None
        dialog = open_settings(self, self.db)
        dialog.sig_saved.connect(
            lambda info: self.statusBar().showMessage(
                self.tr("Настройки сохранены.") if info else self.tr("Настройки не изменились."),
                4000,
            )
        )
        return dialog

    def open_verify_dialog(self) -> QDialog:
        """«Сервис → Проверить подпись PDF…» (works without a database)."""
        from shnor_desktop.ui.verify_dialog import VerifyDialog

        dialog = VerifyDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_test_certificate_dialog(self) -> QDialog:
        """«Сервис → Создать тестовый сертификат…»."""
        from shnor_desktop.ui.signing_dialog import NewTestCertificateDialog

        dialog = NewTestCertificateDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_created.connect(
            lambda made: self.statusBar().showMessage(
                self.tr("Тестовый сертификат сохранён: {0}").format(made[0]), 6000
            )
        )
        dialog.show()
        return dialog

    # --- help ------------------------------------------------------------------------------
    def about(self) -> QDialog:
        """«О программе»: version, the database's schema version, licences (window-modal)."""
        from shnor_desktop.ui.about import AboutDialog

        dialog = AboutDialog(self.db.path if self.db is not None else None, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def where_data(self) -> QMessageBox:
        """Tell where the database, its backups, the settings and the error logs are kept."""
        logs = log_dir()
        if self.db is not None:
            folder = backup.backup_dir_for(self.db.path)
            text = self.tr(
                "База данных: {0}\nРезервные копии: {1}\nНастройки программы: {2}\n"
                "Журналы ошибок: {3}"
            ).format(self.db.path, folder, self.settings.fileName(), logs)
        else:
            text = self.tr(
                "База данных не открыта.\nНастройки программы: {0}\nЖурналы ошибок: {1}"
            ).format(self.settings.fileName(), logs)
        box = QMessageBox(
            QMessageBox.Icon.Information, self.tr("Где хранятся данные"), text, parent=self
        )
        box.setObjectName("where_data")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_button = None
        if self.db is not None:
            open_button = box.addButton(
                self.tr("Открыть папку базы"), QMessageBox.ButtonRole.ActionRole
            )
        logs_button = box.addButton(
            self.tr("Открыть папку журналов"), QMessageBox.ButtonRole.ActionRole
        )
        box.addButton(self.tr("Закрыть"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def on_clicked(button: object) -> None:
            if open_button is not None and button is open_button and self.db is not None:
                self.open_folder(self.db.path.parent)
            elif button is logs_button:
                logs.mkdir(parents=True, exist_ok=True)
                self.open_folder(logs)

        box.buttonClicked.connect(on_clicked)
        box.open()
        return box

    def open_folder(self, folder: Path) -> None:
        """Show ``folder`` in the file manager; where there is none, say where the folder is.

        The status bar names the folder in any case: a file manager that fails
        after it was started (xdg-open without a desktop) tells nobody.
        """
        self.statusBar().showMessage(self.tr("Папка: {0}").format(folder), 15000)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._folder_not_opened(folder)

    def _folder_not_opened(self, folder: Path) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Папка не открыта"),
            self.tr(
                "На этом компьютере не нашлось программы для просмотра папок. "
                "Откройте папку сами, она здесь:\n\n{0}"
            ).format(folder),
            parent=self,
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addButton(self.tr("Закрыть"), QMessageBox.ButtonRole.RejectRole)
        box.exec()

    # --- screen ----------------------------------------------------------------------------
    def fit_to_screen(self) -> None:
        """Keep the whole window, frame and status bar included, on its screen's free area."""
        if self.isMaximized() or self.isFullScreen():
            return
        frame, inner = self.frameGeometry(), self.geometry()
        margins = QMargins(
            inner.left() - frame.left(),
            inner.top() - frame.top(),
            frame.right() - inner.right(),
            frame.bottom() - inner.bottom(),
        )
        if margins.top() <= 0:  # not framed yet (or never: offscreen)
            margins = FRAME_ALLOWANCE
        screen = self.screen().availableGeometry()
        fitted = fitted_geometry(screen, margins, self.size(), inner.topLeft())
        if fitted != inner:
            self.setGeometry(fitted)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            self.fit_to_screen()
            # The window manager frames the window after it is shown: fit once more then.
            QTimer.singleShot(150, self, self.fit_to_screen)

    # --- closing ---------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Let the navigation give way on a narrow window (its titles wrap onto two lines)."""
        super().resizeEvent(event)
        narrow = max(NAV_MIN_WIDTH, min(self._nav_width, self.width() // 6))
        if self.nav.width() != narrow:
            self.nav.setFixedWidth(narrow)
            metrics = self.nav.fontMetrics()
            room = narrow - 30
            for row, panel in enumerate(self.panels):
                self.nav.item(row).setText(_wrapped(panel.title(), metrics, room))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        """Files or folders dragged over the window: offer to import them."""
        if self.exchange.accepts(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 (Qt's name)
        """Keep offering the import while files are dragged across the window."""
        if self.exchange.accepts(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        """Dropped school workbooks (files, folders, a USB stick) go to the import preview."""
        if self.exchange.accepts(event.mimeData()):
            event.acceptProposedAction()
            self.exchange.drop(event.mimeData())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        focus = self.focusWidget()
        if focus is not None:
            # Leaving the focused editor saves what was typed into it.
            focus.clearFocus()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/panel", self.nav.currentRow())
        self.settings.sync()
        self.close_database()
        super().closeEvent(event)
