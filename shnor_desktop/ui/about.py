"""«Справка → О программе»: the version, the database's schema and the licences shipped.

The licences are those of everything the installer carries: the fonts in
``resources/fonts`` (each with its licence file, opened from a link) and the
main libraries.  ``LIBRARIES`` is a plain literal on purpose: the PyInstaller
spec reads it to bundle these libraries' metadata, so their versions show in
the bundle too.
"""

from __future__ import annotations

import html
import platform
from importlib import metadata
from pathlib import Path

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop import APP_NAME, __version__
from shnor_desktop.models.db import read_schema_version
from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.schema import SCHEMA_VERSION
from shnor_desktop.resources import resource_dir

LIBRARIES: tuple[tuple[str, str, str], ...] = (
    ("pyside6-essentials", "PySide6 и Qt", "LGPL-3.0"),
    ("shiboken6", "Shiboken6", "LGPL-3.0"),
    ("pyqtgraph", "pyqtgraph", "MIT"),
    ("numpy", "NumPy", "BSD-3-Clause"),
    ("reportlab", "ReportLab", "BSD"),
    ("pypdfium2", "pypdfium2 и PDFium", "Apache-2.0 или BSD-3-Clause"),
    ("pyhanko", "pyHanko", "MIT"),
    ("pyhanko-certvalidator", "pyhanko-certvalidator", "MIT"),
    ("asn1crypto", "asn1crypto", "MIT"),
    ("cryptography", "cryptography", "Apache-2.0 или BSD-3-Clause"),
    ("openpyxl", "openpyxl", "MIT"),
    ("python-calamine", "python-calamine", "MIT"),
    ("python-docx", "python-docx", "MIT"),
    ("defusedxml", "defusedxml", "PSF-2.0"),
    ("pandas", "pandas", "BSD-3-Clause"),
    ("sqlite-utils", "sqlite-utils", "Apache-2.0"),
    ("pillow", "Pillow", "MIT-CMU"),
    ("fonttools", "fontTools", "MIT"),
)
"""(distribution, name shown, licence) of the main libraries the application ships."""

BUILT_IN = (
    ("Python", platform.python_version(), "PSF-2.0"),
    ("SQLite", "", "общественное достояние (public domain)"),
)


def library_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None when it is not installed."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def font_licences(folder: Path | None = None) -> list[tuple[str, Path, list[str]]]:
    """(licence title, licence file, font files) for each licence file in the fonts folder.

    A font belongs to a licence whose name (``LICENSE-DejaVu.txt``) shares the
    font family's first word (``DejaVuSans.ttf``); a licence for no font still
    shows.
    """
    folder = folder if folder is not None else resource_dir() / "fonts"
    if not folder.is_dir():
        return []
    fonts = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in (".ttf", ".otf"))
    found: list[tuple[str, Path, list[str]]] = []
    for licence in sorted(folder.iterdir()):
        upper = licence.name.upper()
        if not licence.is_file() or not ("LICENSE" in upper or "LICENCE" in upper):
            continue
        family = licence.stem.split("-", 1)[1] if "-" in licence.stem else ""
        mine = [f for f in fonts if family and f.lower().startswith(family.lower())]
        found.append((_licence_title(licence), licence, mine))
    return found


def _licence_title(path: Path) -> str:
    """A short name of the licence from its text (the DejaVu one names Bitstream Vera)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return path.name
    if "Bitstream" in text:
        return "Bitstream Vera / Arev (свободная лицензия шрифтов)"
    if "SIL OPEN FONT LICENSE" in text.upper():
        return "SIL Open Font License 1.1"
    if "Apache License" in text:
        return "Apache-2.0"
    return path.name


def _schema_line(database: Path | None) -> str:
    if database is None:
        return f"База данных не открыта (программа работает со схемой версии {SCHEMA_VERSION})."
    try:
        version = read_schema_version(database)
    except (DomainError, OSError):
        return f"Версию схемы базы прочитать не удалось; программа — версии {SCHEMA_VERSION}."
    return f"Версия схемы базы: {version} (программа работает со схемой версии {SCHEMA_VERSION})."


def about_html(database: Path | None, fonts_folder: Path | None = None) -> str:
    """The text of the About box (HTML), also used by the tests."""
    esc = html.escape
    parts = [
        f"<h2>{esc(APP_NAME)} {esc(__version__)}</h2>",
        "<p>Рабочее место муниципального координатора программы поддержки школ с низкими "
        "образовательными результатами и школ, функционирующих в неблагоприятных "
        "социальных условиях. Работает без интернета; все данные хранятся в одном файле "
        "на этом компьютере.</p>",
        f"<p>{esc(_schema_line(database))}<br>",
        f"База: {esc(str(database)) if database else '—'}<br>",
        f"Python {esc(platform.python_version())}, Qt {esc(qVersion())}, "
        f"PySide6 {esc(PYSIDE_VERSION)}; {esc(platform.system())} {esc(platform.release())}</p>",
        "<h3>Шрифты</h3>",
    ]
    licences = font_licences(fonts_folder)
    if licences:
        parts.append("<ul>")
        for title, path, fonts in licences:
            url = QUrl.fromLocalFile(str(path)).toString()
            families = sorted({Path(f).stem.split("-")[0] for f in fonts})
            names = f"{', '.join(families)} ({len(fonts)} файлов)" if fonts else "—"
            parts.append(
                f'<li>{esc(names)}: {esc(title)} — <a href="{esc(url)}">{esc(path.name)}</a></li>'
            )
        parts.append("</ul>")
    else:
        parts.append("<p>Шрифты с программой не поставляются.</p>")
    parts.append("<h3>Библиотеки</h3><table cellspacing='0' cellpadding='2'>")
    parts.append("<tr><th align='left'>Библиотека</th><th align='left'>Версия</th>")
    parts.append("<th align='left'>Лицензия</th></tr>")
    rows: list[tuple[str, str, str]] = []
    for dist, name, licence in LIBRARIES:
        version = library_version(dist)
        if version is not None:  # not installed (an optional library): not shipped either
            rows.append((name, version, licence))
    rows += BUILT_IN
    for name, version, licence in rows:
        parts.append(
            f"<tr><td>{esc(name)}&nbsp;&nbsp;</td><td>{esc(version)}&nbsp;&nbsp;</td>"
            f"<td>{esc(licence)}</td></tr>"
        )
    parts.append("</table>")
    parts.append(
        f"<p>{esc(APP_NAME)} распространяется по лицензии MIT. PySide6 и Qt — по лицензии "
        "GNU LGPL версии 3: их библиотеки лежат в папке программы отдельными файлами "
        "и могут быть заменены.</p>"
    )
    return "".join(parts)


class AboutDialog(QDialog):
    """«О программе»: version, schema version of the open database, licences."""

    def __init__(self, database: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle(self.tr("О программе"))
        self.resize(620, 560)
        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        icon_path = resource_dir() / "icons" / "shnor-desktop.png"
        pixmap = QPixmap(str(icon_path)) if icon_path.is_file() else QPixmap()
        if not pixmap.isNull():
            icon = QLabel()
            icon.setPixmap(
                pixmap.scaled(
                    64,
                    64,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            icon.setAlignment(Qt.AlignmentFlag.AlignTop)
            header.addWidget(icon)
        self.text = QTextBrowser()
        self.text.setObjectName("about_text")
        self.text.setOpenLinks(False)  # a licence opens in the system's viewer
        self.text.anchorClicked.connect(self._on_text_anchor_clicked)
        self.text.setHtml(about_html(database))
        header.addWidget(self.text, 1)
        layout.addLayout(header, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Закрыть"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_text_anchor_clicked(self, url: QUrl) -> None:
        QDesktopServices.openUrl(url)
