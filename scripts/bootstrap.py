#!/usr/bin/env python3
"""Set up ШНОР Desktop on a fresh machine and run it or its checks.

Usage (from the cloned repository)::

    python3 scripts/bootstrap.py gui [ARGS...]    # install, then run `shnor-desktop ARGS`
    python3 scripts/bootstrap.py test [ARGS...]   # install, then ruff, mypy, pytest ARGS

On Windows use ``py scripts\\bootstrap.py ...``.

What "install" means:

1. On Linux with dpkg (Debian, Ubuntu): the system libraries Qt needs, a font with
   Cyrillic and poppler-utils are installed with apt-get if missing (as root, or
   through sudo). python3-venv / python3-pip are only asked for when this Python
   cannot create a virtual environment with pip by itself.
2. A virtual environment ``.venv`` in the repository root, with pip upgraded and the
   project installed in editable mode with its ``dev`` extras. A stamp file in
   ``.venv`` keeps the SHA-256 of ``pyproject.toml``, so a second run skips pip when
   nothing changed.

Only the standard library is used: the script runs on Debian's bare ``python3``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".bootstrap-stamp"
PYPROJECT = ROOT / "pyproject.toml"
MIN_PYTHON = (3, 11)

# Debian packages: Qt offscreen (tests and GUI), a Cyrillic font, PDF tools, and NSIS
# (makensis compiles the Windows installer script in tests/acceptance/test_installer.py).
DEB_BASE = [
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libglib2.0-0",
    "libxkbcommon0",
    "libdbus-1-3",
    "fonts-dejavu-core",
    "poppler-utils",
    "nsis",
]
# Only when this Python cannot make a venv with pip on its own (Debian's python3).
DEB_PYTHON = ["python3-venv", "python3-pip"]
# The xcb platform plugin, for real windows.
DEB_GUI = [
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
    "libx11-xcb1",
]

USAGE = """\
Использование / Usage:
  python3 scripts/bootstrap.py gui [ARGS...]    установить и запустить shnor-desktop ARGS
  python3 scripts/bootstrap.py test [ARGS...]   установить и выполнить ruff, mypy, pytest ARGS
"""


class BootstrapError(Exception):
    """A step failed; the message is for the user, the code is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def say(message: str) -> None:
    """Print one progress line."""
    print(f"==> {message}", flush=True)


def run(cmd: Sequence[str | os.PathLike[str]], env: dict[str, str] | None = None) -> int:
    """Run a command in the repository root and return its exit code."""
    try:
        return subprocess.call([os.fspath(c) for c in cmd], cwd=ROOT, env=env)
    except FileNotFoundError:
        return 127


def check(cmd: Sequence[str | os.PathLike[str]], what: str) -> None:
    """Run a command; raise BootstrapError with its exit code when it fails."""
    code = run(cmd)
    if code != 0:
        raise BootstrapError(f"Ошибка: {what} (код {code}).", code)


# --- system packages -------------------------------------------------------------------


def python_can_make_venv() -> bool:
    """True when this interpreter has both venv and ensurepip (pip in a new venv)."""
    return all(importlib.util.find_spec(name) is not None for name in ("venv", "ensurepip"))


def missing_debian_packages(packages: Sequence[str]) -> list[str]:
    """Return the packages dpkg does not report as installed, in the given order."""
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${Status}\\n", *packages],
        capture_output=True,
        text=True,
        check=False,
    )
    installed = set()
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[3] == "installed":
            installed.add(fields[0].split(":")[0])
    return [p for p in packages if p not in installed]


def privilege_prefix() -> list[str]:
    """Return [] as root, ["sudo"] when sudo exists; otherwise stop with a message."""
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo"):
        return ["sudo"]
    raise BootstrapError(
        "Нужны права администратора, чтобы установить системные пакеты: запустите от root "
        "или установите sudo.\n"
        "Administrator rights are needed to install system packages: run as root or "
        "install sudo."
    )


def ensure_system_packages(gui: bool) -> None:
    """Install the missing Debian packages (Linux with dpkg only)."""
    if not sys.platform.startswith("linux") or shutil.which("dpkg-query") is None:
        return
    wanted = list(DEB_BASE)
    if not venv_ready() and not python_can_make_venv():
        wanted = DEB_PYTHON + wanted
    if gui:
        wanted += DEB_GUI
    missing = missing_debian_packages(wanted)
    if not missing:
        say("Системные пакеты уже установлены.")
        return
    say("Устанавливаю системные пакеты: " + " ".join(missing))
    prefix = privilege_prefix()
    os.environ.setdefault("DEBIAN_FRONTEND", "noninteractive")
    if prefix:
        prefix = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive"]
    check([*prefix, "apt-get", "update", "-q"], "apt-get update")
    check(
        [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
        "apt-get install",
    )


# --- virtual environment ---------------------------------------------------------------


def venv_python() -> Path:
    """Path of the interpreter inside .venv."""
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def venv_script(name: str) -> Path:
    """Path of a console script installed in .venv."""
    if os.name == "nt":
        return VENV / "Scripts" / f"{name}.exe"
    return VENV / "bin" / name


def venv_ready() -> bool:
    """True when .venv exists and its Python runs pip."""
    python = venv_python()
    if not python.exists():
        return False
    return (
        subprocess.call(
            [python, "-m", "pip", "--version"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        == 0
    )


def pyproject_hash() -> str:
    """SHA-256 of pyproject.toml, as kept in the stamp file."""
    return hashlib.sha256(PYPROJECT.read_bytes()).hexdigest()


def ensure_venv() -> None:
    """Create .venv if needed and install the project into it unless the stamp matches."""
    if not venv_ready():
        if VENV.exists():
            say("Окружение .venv повреждено, создаю заново.")
            shutil.rmtree(VENV)
        say(f"Создаю виртуальное окружение {VENV.name} (Python {sys.version.split()[0]}).")
        code = run([sys.executable, "-m", "venv", VENV])
        if code != 0 or not venv_ready():
            shutil.rmtree(VENV, ignore_errors=True)
            raise BootstrapError(
                "Не удалось создать виртуальное окружение. В Debian/Ubuntu установите "
                "python3-venv.\n"
                "Could not create the virtual environment. On Debian/Ubuntu install "
                "python3-venv.",
                code or 1,
            )
    digest = pyproject_hash()
    if STAMP.exists() and STAMP.read_text(encoding="utf-8").strip() == digest:
        say("Зависимости Python не изменились, pip пропущен.")
        return
    python = venv_python()
    say("Обновляю pip.")
    check([python, "-m", "pip", "install", "--upgrade", "pip"], "обновление pip")
    say("Устанавливаю ШНОР Desktop и зависимости (pip install -e .[dev]).")
    check([python, "-m", "pip", "install", "-e", ".[dev]"], "pip install")
    STAMP.write_text(digest + "\n", encoding="utf-8")


# --- commands --------------------------------------------------------------------------


def install(gui: bool) -> None:
    """Everything a new machine needs before the app or the tests can run."""
    if sys.version_info < MIN_PYTHON:
        raise BootstrapError(
            f"Нужен Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} или новее / "
            f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]}+ is required "
            f"(сейчас / found {sys.version.split()[0]})."
        )
    os.environ.setdefault("LANG", "C.UTF-8")
    os.environ.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    ensure_system_packages(gui=gui)
    ensure_venv()


def run_gui(args: Sequence[str]) -> int:
    """Install, then start the application with the given arguments."""
    install(gui=True)
    say("Запускаю shnor-desktop " + " ".join(args))
    return run([venv_script("shnor-desktop"), *args])


def run_tests(args: Sequence[str]) -> int:
    """Install, then run the formatter check, the linter, mypy and pytest in turn."""
    install(gui=False)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    python = venv_python()
    steps: list[tuple[str, list[str | os.PathLike[str]]]] = [
        ("ruff format --check", [python, "-m", "ruff", "format", "--check", "."]),
        ("ruff check", [python, "-m", "ruff", "check", "."]),
        ("mypy", [python, "-m", "mypy"]),
        ("pytest", [python, "-m", "pytest", *args]),
    ]
    for name, cmd in steps:
        say(f"Проверка: {name}")
        code = run(cmd)
        if code != 0:
            if name == "pytest" and code == 5:
                say("pytest не нашёл ни одного теста — это ошибка.")
            say(f"Проверка «{name}» не пройдена (код {code}).")
            return code
    say("Все проверки пройдены.")
    return 0


def main(argv: Sequence[str]) -> int:
    """Entry point: dispatch on the first argument."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    if not argv or argv[0] not in ("gui", "test"):
        print(USAGE, file=sys.stderr)
        return 2
    command, rest = argv[0], list(argv[1:])
    try:
        return run_gui(rest) if command == "gui" else run_tests(rest)
    except BootstrapError as error:
        print(error, file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        print("\nПрервано / Interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
