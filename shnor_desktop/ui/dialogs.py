"""Dialogs of the database life cycle: the first-run wizard and the choice of a backup.

The wizard checks the file path on its last page and creates the database
from there (through a callback), so a path error is shown on the page and
nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
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
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.text import format_number
from shnor_desktop.services import backup, files
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.widgets import error_label

DEFAULT_STEM = "ШНОР"

CreateDatabase = Callable[[Path, dict[str, Any], dict[str, Any]], str | None]
"""Creates the database; returns None when done, else the Russian reason it was not."""


def suggested_path(folder: Path, stem: str = DEFAULT_STEM) -> Path:
    """Return ``folder/ШНОР.sqlite``, or ``ШНОР (2).sqlite``… when that name is taken."""
    candidate = folder / f"{stem}{files.DATABASE_SUFFIX}"
    number = 2
    while candidate.exists() and candidate.stat().st_size > 0:
        candidate = folder / f"{stem} ({number}){files.DATABASE_SUFFIX}"
        number += 1
    return candidate


class DatabaseFilePage(QWizardPage):
    """The last page of the wizard: where the file goes; checked before «Создать» finishes."""

    def __init__(self, wizard: NewDatabaseWizard, path: Path) -> None:
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle(self.tr("Файл базы данных"))
        self.setSubTitle(
            self.tr("Все данные хранятся в одном файле; рядом создаются резервные копии.")
        )
        form = QFormLayout(self)
        self.path_edit = QLineEdit(str(path))
        self.path_edit.setObjectName("database_path")
        browse = QPushButton(self.tr("Обзор…"))
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow(self.tr("Файл*"), row)
        self.error_label = error_label(None, "path_error")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.error_label)
        # Mandatory fields of QWizard count as filled only once changed, so the
        # suggested path would keep «Создать» grey: completeness is ours.
        self.path_edit.textChanged.connect(self._on_path_edit_text_changed)

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        """The page is complete when a path is typed."""
        return bool(self.path_edit.text().strip())

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        """Check the path and create the database; on a problem say why and stay here."""
        return self._wizard.finish()

    def show_error(self, text: str) -> None:
        """Show why the database was not created, under the path."""
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def _on_path_edit_text_changed(self, _text: str) -> None:
        self.show_error("")
        self.completeChanged.emit()

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Файл базы данных"),
            self.path_edit.text(),
            self.tr("База ШНОР (*.sqlite)"),
        )
        if path:
            self.path_edit.setText(str(files.normalise_new_path(path)))


class NewDatabaseWizard(QWizard):
    """First run: the district, the office and the coordinator, then the file.

    ``create(path, district, coordinator)`` is called when «Создать» is pressed
    and the path passed its checks; a reason it returns is shown on the last
    page and the wizard stays open.  ``path`` presets the file (a 0-byte file
    the user chose to fill, a ``--db`` path that did not exist).  ``open_demo``,
    when given, is offered on the first page: a new user may look around the
    demo district first (the wizard closes, nothing is created).
    """

    def __init__(
        self,
        default_dir: Path,
        parent: QWidget | None = None,
        *,
        path: Path | None = None,
        create: CreateDatabase | None = None,
        open_demo: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self._create = create
        self._open_demo = open_demo
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
        self.demo_button: QPushButton | None = None
        if open_demo is not None:
            hint = QLabel(
                self.tr(
                    "Впервые в программе? Можно сначала осмотреться в демонстрационном районе "
                    "(Ивантеевский район, данные из документов-образцов), а базу своего района "
                    "создать потом: «Файл → Создать базу данных…»."
                )
            )
            hint.setWordWrap(True)
            self.demo_button = QPushButton(self.tr("Сначала посмотреть демонстрационный район"))
            self.demo_button.setObjectName("wizard_demo")
            self.demo_button.clicked.connect(self._on_demo_button_clicked)
            form.addRow(hint)
            form.addRow(self.demo_button)
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

        self.file_page = DatabaseFilePage(self, path or suggested_path(default_dir))
        self.path_edit = self.file_page.path_edit
        self.addPage(self.file_page)

    def _on_demo_button_clicked(self) -> None:
        self.reject()
        if self._open_demo is not None:
            self._open_demo()

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
        return files.normalise_new_path(self.path_edit.text()), district, coordinator

    def finish(self) -> bool:
        """Check the path and create the database; False (with the reason shown) keeps it open."""
        path, district, coordinator = self.values()
        if str(path) != self.path_edit.text():
            self.path_edit.setText(str(path))  # show the name as it will be
        try:
            files.check_new_database_path(path)
        except DomainError as exc:
            self.file_page.show_error(describe_error(exc))
            return False
        if self._create is not None:
            problem = self._create(path, district, coordinator)
            if problem:
                self.file_page.show_error(problem)
                return False
        return True


_REASONS = {
    "open": "автоматически, при открытии",
    "auto": "автоматически",
    "manual": "вручную",
    "before-restore": "перед восстановлением",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


def reason_text(reason: str) -> str:
    """Return the Russian words for why a backup was made."""
    if reason in _REASONS:
        return _tr(_REASONS[reason])
    if reason.startswith("before-v"):
        return _tr("перед обновлением схемы")
    if backup.backup_kind(reason) == backup.PRE_OPERATION:
        return _tr("перед операцией")
    return _tr("вручную")


def backup_label(info: backup.BackupInfo) -> str:
    """Return «31.08.2024 12:00:05 — вручную — 380 КБ» for a backup."""
    return _tr("{0} — {1} — {2} КБ").format(
        info.created_at.strftime("%d.%m.%Y %H:%M:%S"),
        reason_text(info.reason),
        format_number(info.size / 1024, 0),
    )


class RestoreDialog(QDialog):
    """Choose one of the backups of a database."""

    def __init__(
        self,
        backups: list[backup.BackupInfo],
        parent: QWidget | None = None,
        folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Восстановить из резервной копии"))
        self.resize(600, 380)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Выберите копию. Текущее состояние базы будет сохранено отдельной копией "
                "перед восстановлением."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        for info in backups:
            item = QListWidgetItem(backup_label(info))
            item.setData(Qt.ItemDataRole.UserRole, str(info.path))
            item.setToolTip(str(info.path))
            self.list.addItem(item)
        if backups:
            self.list.setCurrentRow(0)
        layout.addWidget(self.list)
        if folder is not None:
            where = QLabel(self.tr("Папка копий: {0}").format(folder))
            where.setWordWrap(True)
            where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(where)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Восстановить"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Отмена"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(self.accept)
        layout.addWidget(buttons)

    def chosen(self) -> Path | None:
        """The backup chosen, or None."""
        item = self.list.currentItem()
        return None if item is None else Path(item.data(Qt.ItemDataRole.UserRole))
