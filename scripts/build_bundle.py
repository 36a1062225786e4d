#!/usr/bin/env python3
"""Build the one-folder bundle from ``installer/shnor-desktop.spec`` and smoke-run it.

Usage (from the repository root, in an environment with ``pip install .[build]``)::

    python scripts/build_bundle.py                 # build dist/shnor-desktop, then smoke-run it
    python scripts/build_bundle.py --skip-build    # smoke-run the bundle already in dist/
    python scripts/build_bundle.py --json out.json # also write the figures as JSON

The smoke run is what a new user does, from a clean temporary folder whose
path has Cyrillic letters and spaces (``…/Иван Петров/Документы``), with a home
folder of its own (no settings, no last database) and no Python environment
around it:

1. the window opens (offscreen) and is painted — the time to the first window,
   measured twice (cold and warm);
2. the window opens on the demo district and paints it; then once more, and there
   «Отчёты» builds the annual report and shows its pages (drawn by PDFium, bundled);
3. the command line: ``demo --out``, ``check``, ``backup``, ``export``,
   ``template`` and ``import --dry-run`` of those workbooks, every ``report``
   kind (and a Word one), ``make-test-certificate`` and a signed report, ``verify`` — each one
   the bundle has (the others are named as absent);
4. every PDF written starts as a PDF and, where ``pdftotext`` exists, holds
   Cyrillic text (the bundled fonts were found).

It prints a table of what ran, the bundle's size and the timings, and exits 0
only when everything that ran passed.  The standard library only: the script
runs with any Python 3.11.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "shnor-desktop.spec"
RESOURCES = ROOT / "resources"
NAME = "shnor-desktop"
WINDOWS = sys.platform == "win32"
SMOKE_ENV = "SHNOR_DESKTOP_SMOKE"
SMOKE_REPORT = "report"  # the window builds the annual report and shows its pages
TIMEOUT = 180
PIN_ENV = "SHNOR_SMOKE_PIN"
RESOURCE_EXCLUDES = (".py", ".pyc")


@dataclass
class Step:
    """One thing the smoke run did (or found absent)."""

    name: str
    status: str  # "passed", "failed", "absent"
    seconds: float = 0.0
    detail: str = ""


@dataclass
class Report:
    """Everything the run found: steps, sizes, timings."""

    bundle: str = ""
    size_bytes: int = 0
    build_seconds: float | None = None
    steps: list[Step] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    missing_libraries: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no step failed."""
        return all(step.status != "failed" for step in self.steps)


def say(text: str) -> None:
    """Print one progress line."""
    print(f"==> {text}", flush=True)


# --------------------------------------------------------------------------- build
def build(dist: Path, work: Path) -> float:
    """Run PyInstaller on the spec; return the seconds it took."""
    if importlib.util.find_spec("PyInstaller") is None:
        raise SystemExit(
            "PyInstaller не установлен: выполните «pip install .[build]» в этом окружении.\n"
            "PyInstaller is missing: run 'pip install .[build]' in this environment."
        )
    say(f"PyInstaller: {SPEC.relative_to(ROOT)} → {dist}")
    started = time.perf_counter()
    code = subprocess.call(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(SPEC),
        ],
        cwd=ROOT,
    )
    if code != 0:
        raise SystemExit(f"PyInstaller failed (exit {code})")
    return time.perf_counter() - started


# --------------------------------------------------------------------------- checks
def folder_size(folder: Path) -> int:
    """Bytes of all files under ``folder`` (as ``du -sb`` counts them, without links)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def check_resources(bundle: Path, report: Report) -> None:
    """Every file of resources/ (tools for making them aside) must be in the bundle."""
    inside = bundle / "_internal" / "resources"
    wanted = sorted(
        p.relative_to(RESOURCES)
        for p in RESOURCES.rglob("*")
        if p.is_file()
        and p.suffix not in RESOURCE_EXCLUDES
        and "__pycache__" not in p.parts
        and not p.name.startswith(".")
    )
    missing = [str(p) for p in wanted if not (inside / p).is_file()]
    folders = sorted(p.name for p in RESOURCES.iterdir() if p.is_dir())
    detail = f"{len(wanted)} files in {', '.join(folders)}"
    if missing:
        report.steps.append(Step("resources", "failed", 0, "missing: " + ", ".join(missing)))
    else:
        report.steps.append(Step("resources", "passed", 0, detail))


def check_libraries(bundle: Path, report: Report) -> None:
    """Linux: list the libraries the bundle's own libraries want and nobody provides."""
    if WINDOWS or shutil.which("ldd") is None:
        return
    internal = bundle / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    missing: set[str] = set()
    for lib in internal.rglob("*.so*"):
        if not lib.is_file():
            continue
        out = subprocess.run(
            ["ldd", str(lib)], check=False, capture_output=True, text=True, env=env
        ).stdout
        missing.update(re.findall(r"^\s*(\S+) => not found", out, re.MULTILINE))
    report.missing_libraries = sorted(missing)


# --------------------------------------------------------------------------- smoke
class Smoke:
    """Runs the bundle's executable as a new user would, in a clean folder."""

    def __init__(self, bundle: Path, report: Report, drop_caches: bool = False) -> None:
        self.drop_caches = drop_caches
        self.exe = bundle / (f"{NAME}-cli.exe" if WINDOWS else NAME)
        self.report = report
        self.base = Path(tempfile.mkdtemp(prefix="shnor-smoke-"))
        self.home = self.base / "Иван Петров"
        self.cwd = self.home / "Документы"
        self.cwd.mkdir(parents=True)
        self.env = self._clean_env()
        self.commands: set[str] = set()

    def _clean_env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTHON", "QT_", "XDG_")) and k not in ("VIRTUAL_ENV",)
        }
        home = str(self.home)
        env.update(
            HOME=home,
            USERPROFILE=home,
            APPDATA=str(self.home / "AppData" / "Roaming"),
            LOCALAPPDATA=str(self.home / "AppData" / "Local"),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            QT_QPA_PLATFORM="offscreen",
            LANG="C.UTF-8",
            PYTHONIOENCODING="utf-8",
        )
        env[PIN_ENV] = "smoke-1234"
        return env

    def run(self, *args: str, smoke: bool | str = False) -> tuple[int, str, str, float]:
        """Run the executable; return exit code, stdout, stderr and seconds.

        ``smoke``: True sets the smoke variable to 1, a string sets it to that mode.
        """
        env = dict(self.env)
        if smoke:
            env[SMOKE_ENV] = smoke if isinstance(smoke, str) else "1"
        started = time.perf_counter()
        try:
            done = subprocess.run(
                [str(self.exe), *args],
                check=False,
                cwd=self.cwd,
                env=env,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            return 124, "", f"timed out after {TIMEOUT} s", time.perf_counter() - started
        return done.returncode, done.stdout, done.stderr, time.perf_counter() - started

    def step(self, name: str, *args: str, smoke: bool | str = False, expect: int = 0) -> Step:
        """Run one command and record it as a step; a traceback fails it whatever the code."""
        code, out, err, seconds = self.run(*args, smoke=smoke)
        ok = code == expect and "Traceback (most recent call last)" not in err
        lines = [line for line in (out + err).splitlines() if "propagateSizeHints" not in line]
        detail = " | ".join(lines[-3:])[:300]
        if not ok:
            detail = f"exit {code}: " + " | ".join(lines[-12:])[:1500]
        step = Step(name, "passed" if ok else "failed", round(seconds, 3), detail)
        self.report.steps.append(step)
        say(f"{name}: {step.status} ({seconds:.2f} s) {detail[:160]}")
        return step

    def absent(self, name: str, why: str) -> None:
        """Record a command the bundle does not have (yet)."""
        self.report.steps.append(Step(name, "absent", 0, why))
        say(f"{name}: absent ({why})")

    def help_of(self, *command: str) -> str:
        """The ``-h`` text of the program or a command ('' when it has none)."""
        code, out, _err, _s = self.run(*command, "-h")
        return out if code == 0 else ""

    # -- the run ---------------------------------------------------------------------------
    def run_all(self) -> None:
        """Everything the smoke run does, in a user's order."""
        self.step("version", "--version")
        top = self.help_of()
        self.commands = set(re.findall(r"^    (\w[\w-]*)\s", top, re.MULTILINE))
        say("commands of the bundle: " + ", ".join(sorted(self.commands)))
        self.gui()
        db = self.cwd / "Демо район.sqlite"
        self.cli_database(db)
        self.cli_reports(db)

    def gui(self) -> None:
        """The window, twice (cold, warm), then the window on the demo district."""
        for label in ("cold", "warm"):
            if label == "cold" and self.drop_caches:
                drop_page_cache()
            step = self.step(f"window ({label} start)", smoke=True)
            self.report.timings[f"first_window_{label}_s"] = step.seconds
            self._inner_timing(step, f"first_window_{label}_inside_s")
        step = self.step("window on the demo district (--demo)", "--demo", smoke=True)
        self.report.timings["demo_window_s"] = step.seconds
        self._inner_timing(step, "demo_window_inside_s")
        if "qtbase_ru yes" not in step.detail:
            step.status = "failed"
            step.detail += " | Qt's Russian catalogue (qtbase_ru.qm) was not loaded"
        # The report preview: the panel's own code path, PDFium drawing every page.
        step = self.step("window with the report preview (--demo)", "--demo", smoke=SMOKE_REPORT)
        match = re.search(
            r"smoke: report-preview ([\d.]+) s; pages shown (\d+) of (\d+)", step.detail
        )
        if match:
            self.report.timings["report_preview_inside_s"] = float(match.group(1))
        elif step.status == "passed":
            step.status = "failed"
            step.detail += " | no 'smoke: report-preview' line: the pages were never shown"

    def _inner_timing(self, step: Step, key: str) -> None:
        match = re.search(r"smoke: \S+ ([\d.]+) s", step.detail)
        if match:
            self.report.timings[key] = float(match.group(1))
        elif step.status == "passed":
            step.status = "failed"
            step.detail += " | no 'smoke:' line: the window was never painted"

    def cli_database(self, db: Path) -> None:
        """demo, check, backup, export, template."""
        step = self.step("demo --out", "demo", "--out", str(db))
        self.report.timings["demo_out_s"] = step.seconds
        for name, args in (
            ("check", ("check", "--db", str(db))),
            ("backup", ("backup", "--db", str(db))),
            ("export", ("export", "--db", str(db), "--out", str(self.cwd / "Выгрузка.xlsx"))),
            ("template", ("template", "--db", str(db), "--out", str(self.cwd / "Шаблоны"))),
            (
                "import --dry-run",
                ("import", "--db", str(db), "--dry-run", str(self.cwd / "Шаблоны")),
            ),
        ):
            command = name.split()[0]
            if command not in self.commands:
                self.absent(name, "no such command in this build")
            elif command == "import" and not (self.cwd / "Шаблоны").is_dir():
                self.absent(name, "no workbooks to read back (template did not run)")
            else:
                self.step(name, *args)

    def cli_reports(self, db: Path) -> None:
        """Every report kind, a signed report and its verification."""
        if "report" not in self.commands:
            self.absent("report", "no such command in this build")
            self.absent("verify", "no report to verify")
            return
        help_text = self.help_of("report")
        # The kinds: argparse's «{a,b}» choices, or the «kind — what it is» of the help.
        choices = re.findall(r"\{([\w,-]+)\}", help_text)
        described = re.findall(r"\b([a-z]+)\s+—\s", help_text)
        kinds_list = choices[0].split(",") if choices else list(dict.fromkeys(described))
        kinds_list = kinds_list or ["annual"]
        school = first_school_code(db)
        written: list[Path] = []
        for kind in kinds_list:
            out = self.cwd / "Отчёты" / f"{kind}.pdf"
            out.parent.mkdir(exist_ok=True)
            args = ["report", kind, "--db", str(db), "--out", str(out)]
            if kind == "passport" and school:
                args += ["--school", school]
            step = self.step(f"report {kind}", *args)
            if step.status == "passed":
                self.check_pdf(out, step)
                written.append(out)
        if ".docx" in help_text and "annual" in kinds_list:
            # Word goes through python-docx and lxml, which no source file imports by name.
            out = self.cwd / "Отчёты" / "annual.docx"
            step = self.step(
                "report annual (.docx)", "report", "annual", "--db", str(db), "--out", str(out)
            )
            if step.status == "passed":
                check_docx(out, step)
        self.report.timings.update(
            {
                "report_" + "_".join(w.strip("().-") for w in s.name.split()[1:]) + "_s": s.seconds
                for s in self.report.steps
                if s.name.startswith("report ")
            }
        )
        self.sign_and_verify(db, written, "--sign" in help_text)

    def sign_and_verify(self, db: Path, written: list[Path], can_sign: bool) -> None:
        """Sign one report with a test certificate and verify it (or verify an unsigned one)."""
        if "verify" not in self.commands:
            self.absent("verify", "no such command in this build")
            return
        if not written:
            self.absent("verify", "no report was written")
            return
        target = written[0]
        if can_sign and "make-test-certificate" in self.commands:
            cert = self.cwd / "Тестовый сертификат.p12"
            made = self.step(
                "make-test-certificate",
                "make-test-certificate",
                "--out",
                str(cert),
                "--pin-env",
                PIN_ENV,
            )
            if made.status == "passed":
                kind = target.stem
                signed = target.with_name(f"{kind} (подписан).pdf")
                args = ["report", kind, "--db", str(db), "--out", str(signed)]
                if kind == "passport":
                    args += ["--school", first_school_code(db) or ""]
                step = self.step(
                    f"report {kind} --sign", *args, "--sign", str(cert), "--pin-env", PIN_ENV
                )
                if step.status == "passed":
                    self.step("verify (signed report)", "verify", str(signed))
                    return
        # Without signing, verify says the file has no signature: any answer but a crash.
        code, out, err, seconds = self.run("verify", str(target))
        crashed = "Traceback (most recent call last)" in err or code not in (0, 1)
        detail = f"exit {code} (unsigned report): " + " | ".join((out + err).splitlines()[-2:])
        self.report.steps.append(
            Step("verify (unsigned report)", "failed" if crashed else "passed", seconds, detail)
        )
        say(f"verify (unsigned report): {detail}")

    def check_pdf(self, path: Path, step: Step) -> None:
        """A PDF it is, with Cyrillic text in it (the bundled fonts were found)."""
        if not path.is_file() or not path.read_bytes().startswith(b"%PDF"):
            step.status = "failed"
            step.detail += f" | {path.name} is not a PDF"
            return
        if shutil.which("pdftotext") is None:
            return
        text = subprocess.run(
            ["pdftotext", str(path), "-"],
            check=False,
            capture_output=True,
            text=True,
            errors="replace",
        ).stdout
        if not re.search("[А-Яа-яЁё]{3,}", text):
            step.status = "failed"
            step.detail += f" | {path.name} has no readable Cyrillic text (fonts?)"

    def clean_up(self) -> None:
        """Remove the temporary user folder."""
        shutil.rmtree(self.base, ignore_errors=True)


def check_docx(path: Path, step: Step) -> None:
    """A Word file it is: a zip with word/document.xml holding Cyrillic text."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as book:
            text = book.read("word/document.xml").decode("utf-8", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        step.status = "failed"
        step.detail += f" | {path.name} is not a Word file ({exc})"
        return
    if not re.search("[А-Яа-яЁё]{3,}", text):
        step.status = "failed"
        step.detail += f" | {path.name} has no Cyrillic text"


def drop_page_cache() -> None:
    """Linux as root: empty the page cache, so the first start reads the bundle from disk."""
    proc = Path("/proc/sys/vm/drop_caches")
    if WINDOWS or not proc.exists():
        return
    os.sync()
    try:
        proc.write_text("3\n", encoding="ascii")
    except OSError as exc:
        say(f"page cache not dropped ({exc.strerror}): the 'cold' start is warm")


def first_school_code(db: Path) -> str | None:
    """The code of the first school of the demo database (for the passport report)."""
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT code FROM school ORDER BY id LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return None if row is None else str(row[0])


# --------------------------------------------------------------------------- main
def human(size: int) -> str:
    """«189,4 МБ»."""
    return f"{size / 1024**2:.1f}".replace(".", ",") + " МБ"


def print_summary(report: Report) -> None:
    """The table of steps and the figures."""
    print()
    print(f"Bundle: {report.bundle}  size: {human(report.size_bytes)} ({report.size_bytes} bytes)")
    if report.build_seconds is not None:
        print(f"Build: {report.build_seconds:.1f} s")
    width = max(len(s.name) for s in report.steps)
    for step in report.steps:
        print(f"  {step.name:<{width}}  {step.status:<7} {step.seconds:6.2f} s  {step.detail[:90]}")
    print("Timings (s): " + ", ".join(f"{k}={v:.3f}" for k, v in report.timings.items()))
    if report.missing_libraries:
        print("Libraries nobody provides (ldd): " + ", ".join(report.missing_libraries))
    ran = [s.name for s in report.steps if s.status != "absent"]
    absent = [s.name for s in report.steps if s.status == "absent"]
    print(f"Ran: {len(ran)}; absent: {', '.join(absent) or 'none'}")
    print("SMOKE RUN PASSED" if report.ok else "SMOKE RUN FAILED")


def main(argv: list[str] | None = None) -> int:
    """Build (unless told not to), smoke-run, print the figures; 0 when all passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true", help="use the bundle in --dist")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="PyInstaller's distpath")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    parser.add_argument("--json", type=Path, help="write the figures to this file too")
    parser.add_argument("--keep", action="store_true", help="keep the smoke run's user folder")
    parser.add_argument(
        "--drop-caches",
        action="store_true",
        help="Linux, root: drop the page cache before the cold start (a true cold start)",
    )
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")

    report = Report()
    if not args.skip_build:
        report.build_seconds = round(build(args.dist, args.work), 1)
    bundle = args.dist / NAME
    if not bundle.is_dir():
        print(f"No bundle at {bundle}: build it first (without --skip-build).", file=sys.stderr)
        return 1
    report.bundle = str(bundle)
    report.size_bytes = folder_size(bundle)
    check_resources(bundle, report)
    check_libraries(bundle, report)
    smoke = Smoke(bundle, report, drop_caches=args.drop_caches)
    try:
        smoke.run_all()
    finally:
        if args.keep:
            say(f"smoke folder kept: {smoke.base}")
        else:
            smoke.clean_up()
    print_summary(report)
    if args.json is not None:
        data = asdict(report)
        data["ok"] = report.ok
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
