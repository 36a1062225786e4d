"""The main window: navigation among the panels, menus, status bar, database life cycle."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from shnor_desktop import APP_NAME, __version__
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import Cancelled, DomainError
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.text import format_number
from shnor_desktop.services import backup
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.common import DataBus, Panel
from shnor_desktop.ui.messages import show_warning
from shnor_desktop.ui.runner import BackgroundTask

MAX_RECENT = 8
BACKGROUND_ROWS = 2000
"""An undo or redo of more rows than this runs in a worker with a progress dialog."""


class NewDatabaseWizard(QWizard):
    """First run: the district, the office and the coordinator, then the file."""

    def __init__(self, default_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Новая база данных"))
        self.resize(680, 440)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("Далее >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< Назад"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Создать"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("Отмена"))

        district = QWizardPage()
        district.setTitle(self.tr("Район"))
        district.setSubTitle(self.tr("Для какого района ведётся программа."))
        form = QFormLayout(district)
        self.district_name = QLineEdit()
        self.district_name.setPlaceholderText(self.tr("например, Ивантеевский муниципальный район"))
        self.region = QLineEdit()
        self.region.setPlaceholderText(self.tr("например, Саратовская область"))
        self.office = QLineEdit()
        self.office.setPlaceholderText(self.tr("например, Управление образованием администрации…"))
        self.centre = QLineEdit()
        form.addRow(self.tr("Район*"), self.district_name)
        form.addRow(self.tr("Субъект РФ"), self.region)
        form.addRow(self.tr("Орган управления образованием"), self.office)
        form.addRow(self.tr("Районный центр"), self.centre)
        district.registerField("district*", self.district_name)
        self.addPage(district)

        people = QWizardPage()
        people.setTitle(self.tr("Координатор"))
        people.setSubTitle(self.tr("Кто ведёт программу и кто возглавляет управление."))
        form = QFormLayout(people)
        self.coordinator = QLineEdit()
        self.coordinator.setPlaceholderText(self.tr("Фамилия И.О."))
        self.position = QLineEdit(self.tr("муниципальный координатор"))
        self.head = QLineEdit()
        form.addRow(self.tr("Координатор"), self.coordinator)
        form.addRow(self.tr("Должность"), self.position)
        form.addRow(self.tr("Руководитель управления"), self.head)
        self.addPage(people)

        place = QWizardPage()
        place.setTitle(self.tr("Файл базы данных"))
        place.setSubTitle(
            self.tr("Все данные хранятся в одном файле; рядом создаются резервные копии.")
        )
        form = QFormLayout(place)
        self.path_edit = QLineEdit(str(default_dir / "ШНОР.sqlite"))
        browse = QPushButton(self.tr("Обзор…"))
        browse.clicked.connect(self._on_browse_clicked)
        form.addRow(self.tr("Файл*"), self.path_edit)
        form.addRow("", browse)
        place.registerField("path*", self.path_edit)
        self.addPage(place)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Файл базы данных"),
            self.path_edit.text(),
            self.tr("База ШНОР (*.sqlite)"),
        )
        if path:
            self.path_edit.setText(path if path.endswith(".sqlite") else path + ".sqlite")

    def values(self) -> tuple[Path, dict[str, Any], dict[str, Any]]:
        """The file, the district and the coordinator as entered."""
        district = {
            "name": self.district_name.text().strip(),
            "region": self.region.text().strip(),
            "office": self.office.text().strip(),
            "centre": self.centre.text().strip(),
            "head_of_office": self.head.text().strip(),
            "coordinator": self.coordinator.text().strip(),
        }
        coordinator = {
            "full_name": self.coordinator.text().strip(),
            "position": self.position.text().strip(),
            "organisation": self.office.text().strip(),
        }
        return Path(self.path_edit.text().strip()), district, coordinator


class RestoreDialog(QDialog):
    """Choose one of the automatic backups of the open database."""

    def __init__(self, backups: list[backup.BackupInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Восстановить из резервной копии"))
        self.resize(560, 360)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr(
                    "Выберите копию. Текущее состояние базы будет сохранено отдельной копией "
                    "перед восстановлением."
                )
            )
        )
        self.list = QListWidget()
        reasons = {
            "open": self.tr("при открытии"),
            "manual": self.tr("вручную"),
            "before-restore": self.tr("перед восстановлением"),
        }
        for info in backups:
            reason = reasons.get(info.reason, info.reason)
            if info.reason.startswith("before-v"):
                reason = self.tr("перед обновлением схемы")
            text = self.tr("{0} — {1} — {2} КБ").format(
                info.created_at.strftime("%d.%m.%Y %H:%M:%S"),
                reason,
                format_number(info.size / 1024, 0),
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, str(info.path))
            self.list.addItem(item)
        if backups:
            self.list.setCurrentRow(0)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Восстановить"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> Path | None:
        """The backup chosen, or None."""
        item = self.list.currentItem()
        return None if item is None else Path(item.data(Qt.ItemDataRole.UserRole))


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
            (self.tr("Создать базу данных…"), window.new_database),
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
        self.setWindowTitle(APP_NAME)
        screen = self.screen().availableGeometry()
        # First start: as large as a typical laptop allows; later, what the user left.
        self.resize(min(1280, screen.width()), min(800, screen.height()))
        self._build_panels()
        self._build_actions()
        self._build_menus()
        self._build_status()
        self._restore_geometry()
        self._update_actions()

    # --- construction ------------------------------------------------------------------
    def _build_panels(self) -> None:
        from shnor_desktop.ui.changes_panel import ChangesPanel
        from shnor_desktop.ui.district_panel import DistrictPanel
        from shnor_desktop.ui.passport_panel import PassportPanel

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setStyleSheet("QListWidget::item { padding: 7px; }")
        self.stack = QStackedWidget()
        self.panels: list[Panel] = [
            PassportPanel(self.bus),
            DistrictPanel(self.bus),
            ChangesPanel(self.bus),
        ]
        for panel in self.panels:
            self.nav.addItem(panel.title())
            self.stack.addWidget(panel)
            panel.sig_status.connect(self._on_panel_status)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setFixedWidth(self.nav.sizeHintForColumn(0) + 24)
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

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&Файл"))
        file_menu.addAction(self.act_new)
        file_menu.addAction(self.act_open)
        self.recent_menu = file_menu.addMenu(self.tr("Недавние файлы"))
        file_menu.addSeparator()
        file_menu.addAction(self.act_backup)
        file_menu.addAction(self.act_restore)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit_menu = bar.addMenu(self.tr("&Правка"))
        edit_menu.addAction(self.act_undo)
        edit_menu.addAction(self.act_redo)
        help_menu = bar.addMenu(self.tr("&Справка"))
        help_menu.addAction(self.act_where)
        help_menu.addAction(self.act_about)
        self._fill_recent()

    def _build_status(self) -> None:
        self.db_label = QLabel()
        # A long path must not push the backup time out of the status bar.
        self.db_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.backup_label = QLabel()
        self.statusBar().addPermanentWidget(self.db_label, 1)
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
        """Databases opened lately, newest first."""
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

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
    def open_database(self, path: Path) -> bool:
        """Open a database file (backing it up); show a Russian message on failure."""
        path = Path(path)
        if not path.exists():
            QMessageBox.warning(
                self, self.tr("Файл не найден"), self.tr("Файл «{0}» не найден.").format(path)
            )
            return False
        try:
            db = backup.open_with_backup(path)
        except (DomainError, OSError, backup.BackupError) as exc:
            QMessageBox.critical(self, self.tr("База не открыта"), describe_error(exc))
            return False
        self._set_database(db)
        self._remember(path)
        self._start_backup("open")
        return True

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
        self.db_label.setText(self.tr("База: {0}").format(db.path) if db else "")
        self._show_last_backup()
        title = APP_NAME
        if db is not None:
            district = db.district.district()
            title = f"{district.name if district else db.path.stem} — {APP_NAME}"
        self.setWindowTitle(title)
        self._update_actions()

    def close_database(self) -> None:
        """Close the open database."""
        self._wait_for_tasks()
        self._set_database(None)

    def open_demo(self) -> bool:
        """Build a fresh demo district (seed 004) in a temporary folder and open it."""
        from shnor_desktop.services.demo import build_demo

        path = Path(tempfile.mkdtemp(prefix="shnor-demo-")) / "Демо-район.sqlite"
        try:
            build_demo(path)
        except (DomainError, OSError) as exc:
            QMessageBox.critical(self, self.tr("Демо-база не создана"), describe_error(exc))
            return False
        return self.open_database(path)

    def choose_database(self) -> None:
        """Ask for a database file and open it."""
        start = self.settings.value("last_database", "")
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Открыть базу данных"),
            str(start or ""),
            self.tr("База ШНОР (*.sqlite *.db);;Все файлы (*)"),
        )
        if path:
            self.open_database(Path(path))

    def new_database(self) -> None:
        """Run the first-run wizard and create a database."""
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        wizard = NewDatabaseWizard(Path(documents or Path.home()), self)
        if wizard.exec() != QDialog.DialogCode.Accepted:
            return
        path, district, coordinator = wizard.values()
        self.create_database(path, district, coordinator)

    def create_database(
        self, path: Path, district: dict[str, Any], coordinator: dict[str, Any]
    ) -> bool:
        """Create a database with its district and coordinator, and open it."""
        if path.exists() and path.stat().st_size > 0:
            QMessageBox.warning(
                self,
                self.tr("Файл уже существует"),
                self.tr("Файл «{0}» уже существует. Выберите другое имя.").format(path),
            )
            return False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = Database.open(path)
            db.district.create(district, coordinator, self.tr("Создание базы данных района"))
        except (DomainError, OSError) as exc:
            QMessageBox.critical(self, self.tr("База не создана"), describe_error(exc))
            return False
        self._set_database(db)
        self._remember(path)
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
        backups = backup.list_backups(path)
        if not backups:
            QMessageBox.information(
                self, self.tr("Восстановление"), self.tr("Резервных копий этой базы пока нет.")
            )
            return
        dialog = RestoreDialog(backups, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen() is None:
            return
        chosen = dialog.chosen()
        assert chosen is not None
        self.close_database()
        try:
            saved = backup.restore_backup(chosen, path)
        except (DomainError, OSError, backup.BackupError) as exc:
            QMessageBox.critical(self, self.tr("Восстановление не выполнено"), describe_error(exc))
            self.open_database(path)
            return
        if self.open_database(path):
            self.statusBar().showMessage(
                self.tr("База восстановлена. Прежнее состояние сохранено: {0}").format(saved.path),
                10000,
            )

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

    # --- help ------------------------------------------------------------------------------
    def about(self) -> None:
        """Show what the application is."""
        QMessageBox.about(
            self,
            self.tr("О программе"),
            self.tr(
                "<b>ШНОР Desktop {0}</b><br><br>"
                "Рабочее место муниципального координатора программы поддержки школ "
                "с низкими образовательными результатами и школ, функционирующих "
                "в неблагоприятных социальных условиях.<br><br>"
                "Работает без интернета; все данные хранятся в одном файле на этом компьютере."
            ).format(__version__),
        )

    def where_data(self) -> None:
        """Tell where the database, its backups and the settings are kept."""
        if self.db is not None:
            folder = backup.backup_dir_for(self.db.path)
            text = self.tr(
                "База данных: {0}\nРезервные копии: {1}\nНастройки программы: {2}"
            ).format(self.db.path, folder, self.settings.fileName())
        else:
            text = self.tr("База данных не открыта.\nНастройки программы: {0}").format(
                self.settings.fileName()
            )
        box = QMessageBox(
            QMessageBox.Icon.Information, self.tr("Где хранятся данные"), text, parent=self
        )
        if self.db is not None:
            open_button = box.addButton(self.tr("Открыть папку"), QMessageBox.ButtonRole.ActionRole)
            box.addButton(QMessageBox.StandardButton.Close)
            box.exec()
            if box.clickedButton() is open_button:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.db.path.parent)))
        else:
            box.exec()

    # --- closing ---------------------------------------------------------------------------
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
