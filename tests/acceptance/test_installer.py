"""The packaging files: the PyInstaller spec and the NSIS installer script.

Building the whole bundle takes half a minute and is the job of
``scripts/build_bundle.py`` (with its smoke run); here the spec is executed
with stand-ins for PyInstaller's build objects, so what it would bundle is
checked in milliseconds, and the installer script is compiled with the real
``makensis`` (Debian's ``nsis``) around a fake bundle, so a broken script fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from shnor_desktop import __version__
from shnor_desktop.services.files import DATABASE_SUFFIX

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installer" / "shnor-desktop.spec"
NSI = ROOT / "installer" / "shnor-desktop.nsi"
RESOURCES = ROOT / "resources"
MAKENSIS = shutil.which("makensis")
needs_makensis = pytest.mark.skipif(
    MAKENSIS is None, reason="makensis is not installed (Debian: apt-get install nsis)"
)


# --------------------------------------------------------------------------- the spec
@dataclass
class Built:
    """What one PyInstaller build object was given."""

    kind: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    datas: list[tuple[str, str, str]] = field(default_factory=list)
    binaries: list[tuple[str, str, str]] = field(default_factory=list)
    pure: list[Any] = field(default_factory=list)
    scripts: list[Any] = field(default_factory=list)


def run_spec(monkeypatch: pytest.MonkeyPatch, platform: str | None = None) -> dict[str, Any]:
    """Execute the spec with stand-ins for Analysis, PYZ, EXE, COLLECT and Tree."""
    made: list[Built] = []

    def maker(kind: str) -> Any:
        def make(*args: Any, **kwargs: Any) -> Built:
            built = Built(kind, args, kwargs)
            if kind == "Analysis":
                # What PyInstaller's hooks would collect, for the filters to work on.
                built.datas = [
                    ("PySide6/Qt/translations/qtbase_ru.qm", "x", "DATA"),
                    ("PySide6/Qt/translations/qtbase_de.qm", "x", "DATA"),
                    ("PySide6/translations/qt_help_fr.qm", "x", "DATA"),
                    ("pyqtgraph/colors/maps/CET-L1.csv", "x", "DATA"),
                ]
                built.binaries = [
                    ("PySide6/Qt/plugins/platforms/libqxcb.so", "x", "BINARY"),
                    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", "x", "BINARY"),
                    ("PySide6/plugins/platforms/qwindows.dll", "x", "BINARY"),
                    ("PySide6/plugins/styles/qmodernwindowsstyle.dll", "x", "BINARY"),
                    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "x", "BINARY"),
                    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", "x", "BINARY"),
                    ("PySide6/plugins/tls/qschannelbackend.dll", "x", "BINARY"),
                    ("PySide6/Qt/plugins/imageformats/libqtiff.so", "x", "BINARY"),
                    ("PySide6/Qt/plugins/imageformats/libqico.so", "x", "BINARY"),
                ]
            made.append(built)
            return built

        return make

    namespace: dict[str, Any] = {
        "SPECPATH": str(SPEC.parent),
        "__file__": str(SPEC),
        **{name: maker(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT", "Tree")},
    }
    code = compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")
    with monkeypatch.context() as patch:
        fake_pyinstaller(patch)
        if platform is not None:
            patch.setattr(sys, "platform", platform)
        exec(code, namespace)  # noqa: S102 (the spec is Python run by PyInstaller)
    namespace["_made"] = made
    return namespace


def made_of(namespace: dict[str, Any], kind: str) -> list[Built]:
    """The build objects of one kind the spec made."""
    return [b for b in namespace["_made"] if b.kind == kind]


def resource_folders() -> list[str]:
    """The folders of resources/ as they are now (others add theirs meanwhile)."""
    return sorted(p.name for p in RESOURCES.iterdir() if p.is_dir() and p.name != "__pycache__")


def test_spec_bundles_every_resource_folder_as_a_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each folder of resources/ becomes a Tree under resources/ and goes into COLLECT."""
    ns = run_spec(monkeypatch)
    trees = made_of(ns, "Tree")
    prefixes = {t.kwargs["prefix"] for t in trees}
    assert {"icons", "fonts"} <= set(resource_folders())
    assert prefixes == {f"resources/{name}" for name in resource_folders()}
    for tree in trees:
        assert Path(tree.args[0]) == RESOURCES / tree.kwargs["prefix"].split("/", 1)[1]
        assert "*.py" in tree.kwargs["excludes"]  # the icon's drawing script stays home
    (collect,) = made_of(ns, "COLLECT")
    assert all(any(t is arg for arg in collect.args) for t in trees)
    assert collect.kwargs["name"] == "shnor-desktop"


def test_spec_entry_point_icon_and_one_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry is the package's __main__; one folder (binaries outside the exe); the icon."""
    ns = run_spec(monkeypatch)
    (analysis,) = made_of(ns, "Analysis")
    assert analysis.args[0] == [str(ROOT / "shnor_desktop" / "__main__.py")]
    (exe,) = made_of(ns, "EXE")  # Linux: one executable
    assert exe.kwargs["exclude_binaries"] is True
    assert exe.kwargs["name"] == "shnor-desktop"
    assert ("X utf8_mode=1", None, "OPTION") in exe.args[2]  # UTF-8 on Windows too
    icon = Path(exe.kwargs["icon"])
    assert icon == RESOURCES / "icons" / "shnor-desktop.ico"
    assert icon.read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    png = RESOURCES / "icons" / "shnor-desktop.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def imported_by_sources() -> set[str]:
    """Top-level modules and PySide6 modules the application's sources import."""
    names: set[str] = set()
    for source in (ROOT / "shnor_desktop").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        names.update(re.findall(r"^\s*(?:import|from)\s+([A-Za-z_]\w*)", text, re.MULTILINE))
        names.update(re.findall(r"PySide6\.(Qt\w+)", text))
        names.update(re.findall(r"^\s*from\s+PySide6\s+import\s+(Qt\w+)", text, re.MULTILINE))
    return names


def test_spec_excludes_dev_tools_and_unused_qt_but_nothing_the_app_imports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lean: no test/dev packages, no unused Qt; yet every module the app imports stays."""
    ns = run_spec(monkeypatch)
    (analysis,) = made_of(ns, "Analysis")
    excludes = set(analysis.kwargs["excludes"])
    assert {"pytest", "hypothesis", "mypy", "ruff", "pytestqt"} <= excludes
    assert {"PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtWebEngineCore"} <= excludes
    used = imported_by_sources()
    for module in excludes:
        top, _, rest = module.partition(".")
        if top == "PySide6":
            assert rest not in used, f"{module} is imported by the application"
        elif not rest:
            assert top not in used, f"{module} is imported by the application"
    assert ("pandas" in excludes) == ("pandas" not in used)


def test_spec_bundles_the_metadata_of_the_libraries_the_about_box_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each installed library of «О программе» travels with its dist-info (its version)."""
    from importlib import metadata

    from shnor_desktop.ui.about import LIBRARIES

    ns = run_spec(monkeypatch)
    (analysis,) = made_of(ns, "Analysis")
    copied = {
        Path(dest).name for _src, dest in analysis.kwargs["datas"] if dest.endswith(".dist-info")
    }
    installed = []
    for distribution, _name, _licence in LIBRARIES:
        try:
            metadata.distribution(distribution)
        except metadata.PackageNotFoundError:
            continue
        installed.append(distribution)
    assert "pyside6-essentials" in installed
    assert copied == {f"{d}.dist-info" for d in installed}


def test_spec_bundles_pdfium_for_the_report_preview(monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview and printing draw pages with PDFium: its native library is named."""
    ns = run_spec(monkeypatch)
    (analysis,) = made_of(ns, "Analysis")
    assert ("/site-packages/pypdfium2_raw/libpdfium.so", "pypdfium2_raw") in analysis.kwargs[
        "binaries"
    ]
    assert {"pypdfium2", "pypdfium2_raw"} <= set(analysis.kwargs["hiddenimports"])
    assert any(dest == "pypdfium2.dist-info" for _src, dest in analysis.kwargs["datas"])


def modules_the_dependencies_need() -> set[str]:
    """Top-level modules of the libraries the sources import and of all they require."""
    from importlib import metadata

    owners = metadata.packages_distributions()
    # The app's own declared dependencies are no proof of use (pandas is declared, unused).
    wanted = [d for m in imported_by_sources() - {"shnor_desktop"} for d in owners.get(m, [])]
    seen: set[str] = set()
    while wanted:
        name = wanted.pop().lower().replace("_", "-")
        if name in seen:
            continue
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for requirement in requires:
            if "extra ==" not in requirement:
                wanted.append(re.split(r"[<>=!~\[; (]", requirement, maxsplit=1)[0])
    return {
        module
        for module, distributions in owners.items()
        if any(d.lower().replace("_", "-") in seen for d in distributions)
    }


def test_spec_excludes_nothing_a_dependency_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-docx needs lxml though no source file names it: such a module stays in."""
    ns = run_spec(monkeypatch)
    (analysis,) = made_of(ns, "Analysis")
    needed = modules_the_dependencies_need()
    assert {"docx", "lxml", "reportlab", "pyqtgraph"} <= needed
    excluded = {m for m in analysis.kwargs["excludes"] if "." not in m}
    assert not excluded & needed, sorted(excluded & needed)
    # python-docx opens its templates from its package folder (through docx/parts/..):
    # they travel too, and its modules lie there as files, so that folder exists.
    assert analysis.kwargs["module_collection_mode"]["docx"] == "pyz+py"
    assert ("/site-packages/docx/templates/default.docx", "docx/templates") in analysis.kwargs[
        "datas"
    ]


def test_spec_keeps_russian_qt_texts_and_drops_unused_plugins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """qtbase_ru.qm stays, other languages go; the GTK theme, TLS and rare formats go."""
    ns = run_spec(monkeypatch)
    (analysis,) = made_of(ns, "Analysis")
    kept = [Path(d[0]).name for d in analysis.datas]
    assert "qtbase_ru.qm" in kept
    assert "qtbase_de.qm" not in kept
    assert "qt_help_fr.qm" not in kept
    assert "CET-L1.csv" in kept  # data that is not a translation is not touched
    plugins = {Path(b[0]).name for b in analysis.binaries}
    assert {"libqxcb.so", "libqoffscreen.so", "qwindows.dll", "qmodernwindowsstyle.dll"} <= plugins
    assert {"libqico.so"} <= plugins
    assert not {"libqgtk3.so", "libqopensslbackend.so", "qschannelbackend.dll"} & plugins
    assert "libqtiff.so" not in plugins


class _Recorded:
    """Stands in for a class of PyInstaller's versioninfo: keeps what it was given."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs


def fake_pyinstaller(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-ins for the PyInstaller modules the spec imports (the build extra is not needed).

    ``copy_metadata`` names the dist-info it would copy; versioninfo (which needs
    pywin32 to load) records the version resource it is given.
    """
    hooks = types.ModuleType("PyInstaller.utils.hooks")

    def copy_metadata(distribution: str) -> list[tuple[str, str]]:
        return [(f"/site-packages/{distribution}.dist-info", f"{distribution}.dist-info")]

    def collect_data_files(package: str) -> list[tuple[str, str]]:
        return [(f"/site-packages/{package}/templates/default.docx", f"{package}/templates")]

    def collect_dynamic_libs(package: str) -> list[tuple[str, str]]:
        return [(f"/site-packages/{package}/libpdfium.so", package)]

    hooks.copy_metadata = copy_metadata  # type: ignore[attr-defined]
    hooks.collect_data_files = collect_data_files  # type: ignore[attr-defined]
    hooks.collect_dynamic_libs = collect_dynamic_libs  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, hooks.__name__, hooks)
    module = types.ModuleType("PyInstaller.utils.win32.versioninfo")
    for name in (
        "FixedFileInfo",
        "StringFileInfo",
        "StringStruct",
        "StringTable",
        "VarFileInfo",
        "VarStruct",
        "VSVersionInfo",
    ):
        setattr(module, name, type(name, (_Recorded,), {}))
    for name in ("PyInstaller", "PyInstaller.utils", "PyInstaller.utils.win32"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, module.__name__, module)


def test_spec_on_windows_adds_a_console_exe_and_version_info(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On Windows: a window exe, a console exe for the command line, the version resource."""
    ns = run_spec(monkeypatch, platform="win32")
    exes = {e.kwargs["name"]: e for e in made_of(ns, "EXE")}
    assert set(exes) == {"shnor-desktop", "shnor-desktop-cli"}
    assert exes["shnor-desktop"].kwargs["console"] is False
    assert exes["shnor-desktop-cli"].kwargs["console"] is True
    info = exes["shnor-desktop"].kwargs["version"]
    numbers = [int(n) for n in re.findall(r"\d+", __version__)[:4]]
    assert info.kwargs["ffi"].kwargs["filevers"] == tuple(numbers + [0] * (4 - len(numbers)))
    (string_info, var_info) = info.kwargs["kids"]
    (table,) = string_info.args[0]
    assert table.args[0] == "041904B0"  # Russian, Unicode
    strings = {s.args[0]: s.args[1] for s in table.args[1]}
    assert strings["FileVersion"] == strings["ProductVersion"] == __version__
    assert strings["ProductName"] == "ШНОР Desktop"
    assert strings["OriginalFilename"] == "shnor-desktop.exe"
    assert var_info.args[0][0].args == ("Translation", [0x0419, 1200])


# --------------------------------------------------------------------------- NSIS
def fake_bundle(folder: Path) -> Path:
    """A folder shaped like PyInstaller's output, with a few stand-in files."""
    bundle = folder / "сборка с пробелом" / "shnor-desktop"
    (bundle / "_internal" / "resources" / "icons").mkdir(parents=True)
    (bundle / "shnor-desktop.exe").write_bytes(b"MZ fake")
    (bundle / "shnor-desktop-cli.exe").write_bytes(b"MZ fake")
    shutil.copy(
        RESOURCES / "icons" / "shnor-desktop.png",
        bundle / "_internal" / "resources" / "icons" / "shnor-desktop.png",
    )
    return bundle


def makensis(
    script: Path, bundle: Path, out: Path, *defines: str
) -> subprocess.CompletedProcess[str]:
    """Compile ``script`` (warnings are errors) around ``bundle`` into ``out``."""
    assert MAKENSIS is not None
    return subprocess.run(
        [
            MAKENSIS,
            "-V4",  # lists every file it packs
            "-WX",
            f"-DVERSION={__version__}",
            f"-DBUNDLE_DIR={bundle}",
            f"-DOUTFILE={out}",
            *defines,
            str(script),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
        timeout=120,
    )


@needs_makensis
def test_installer_script_compiles(tmp_path: Path) -> None:
    """makensis builds a Windows installer from the script and a bundle folder."""
    out = tmp_path / f"shnor-desktop-{__version__}-setup.exe"
    result = makensis(NSI, fake_bundle(tmp_path), out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes()[:2] == b"MZ"
    # The whole bundle goes in: both programs, and the resources deep inside _internal.
    packed = re.findall(r'^File: "([^"]+)"', result.stdout, re.MULTILINE)
    assert {"shnor-desktop.exe", "shnor-desktop-cli.exe", "shnor-desktop.png"} <= set(packed)


@needs_makensis
def test_a_broken_installer_script_fails_to_compile(tmp_path: Path) -> None:
    """The compile check can fail: the same script with one misspelt command does."""
    broken = tmp_path / "broken.nsi"
    broken.write_text(
        NSI.read_text(encoding="utf-8-sig").replace("WriteUninstaller", "WriteUninstal", 1),
        encoding="utf-8-sig",
    )
    icon = RESOURCES / "icons" / "shnor-desktop.ico"
    result = makensis(broken, fake_bundle(tmp_path), tmp_path / "setup.exe", f"-DICON={icon}")
    assert result.returncode != 0
    assert "WriteUninstal" in result.stdout + result.stderr
    assert not (tmp_path / "setup.exe").exists()


def nsi_text() -> str:
    """The installer script as text (UTF-8 with a BOM, for makensis)."""
    raw = NSI.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "makensis reads Russian text right only with a BOM"
    return raw.decode("utf-8-sig")


def test_installer_is_per_user_russian_and_keeps_the_users_data() -> None:
    """No admin rights, HKCU only, Russian, the app's extension, uninstall keeps the data."""
    text = nsi_text()
    code = "\n".join(line.split(";")[0] for line in text.splitlines())
    assert re.search(r"^RequestExecutionLevel user$", code, re.MULTILINE)
    assert 'InstallDir "$LOCALAPPDATA\\Programs\\' in code
    assert '!insertmacro MUI_LANGUAGE "Russian"' in code
    assert f'!define DB_EXT "{DATABASE_SUFFIX}"' in code
    assert "HKLM" not in re.sub(r"ReadRegStr \$1 HKLM", "", code)  # writes go to HKCU only
    assert "Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall" in code
    assert re.search(r'CreateShortCut "\$SMPROGRAMS\\', code)
    assert re.search(r'CreateShortCut "\$DESKTOP\\', code)
    uninstall = code.split('Section "Uninstall"', 1)[1]
    # Only the program's own files: never a recursive delete of the install folder itself,
    # nor anything in Documents or the application data (databases, backups, logs).
    assert 'RMDir /r "$INSTDIR"' not in uninstall
    for place in ("$DOCUMENTS", "$APPDATA", "$LOCALAPPDATA", "$PROFILE"):
        assert place not in uninstall
    assert '--db "%1"' in code  # the association opens the file the way the CLI takes it


def test_the_smoke_switch_paints_the_demo_window_and_exits_0(tmp_path: Path) -> None:
    """What build_bundle.py relies on: SHNOR_DESKTOP_SMOKE=1 --demo prints and exits 0."""
    import os

    env = {
        **os.environ,
        "SHNOR_DESKTOP_SMOKE": "1",
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "shnor_desktop", "--demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"^smoke: demo-open [\d.]+ s after run_gui; qtbase_ru yes$", done.stdout, re.M)


def test_the_report_smoke_switch_shows_every_page_of_the_annual_report(tmp_path: Path) -> None:
    """SHNOR_DESKTOP_SMOKE=report --demo: «Отчёты» builds the annual report and shows
    every page (the bundle's smoke run proves PDFium travels with the bundle so)."""
    import os

    env = {
        **os.environ,
        "SHNOR_DESKTOP_SMOKE": "report",
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TMPDIR": str(tmp_path / "temp"),
    }
    (tmp_path / "temp").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "shnor_desktop", "--demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    match = re.search(
        r"^smoke: report-preview [\d.]+ s; pages shown (\d+) of (\d+); page 1 (\d+)x(\d+) px$",
        done.stdout,
        re.M,
    )
    assert match, done.stdout
    shown, total, width, height = map(int, match.groups())
    assert shown == total > 10
    assert abs(height - width * 841.89 / 595.28) <= 1  # an A4 page, drawn
    # The preview's temporary folder went with the window.
    assert not list((tmp_path / "temp").glob("shnor-reports-*"))
