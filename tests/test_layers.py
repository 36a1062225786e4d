"""Layering: importing models/, services/ and the command line must not load PySide6."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = textwrap.dedent(
    """
    import importlib
    import json
    import pkgutil
    import sys

    imported = []
    for package_name in ("shnor_desktop.models", "shnor_desktop.services"):
        package = importlib.import_module(package_name)
        imported.append(package_name)
        for info in pkgutil.walk_packages(package.__path__, package_name + "."):
            importlib.import_module(info.name)
            imported.append(info.name)
    # The command line shares the services and opens Qt only for the GUI.
    for name in ("shnor_desktop.cli", "shnor_desktop.__main__"):
        importlib.import_module(name)
        imported.append(name)
    qt = sorted(name for name in sys.modules if name.startswith("PySide6"))
    print(json.dumps({"imported": imported, "qt": qt}))
    """
)


def test_models_and_services_do_not_import_qt() -> None:
    """A fresh interpreter imports all of models/ and services/ and finds no PySide6."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, f"import failed:\n{result.stderr}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "shnor_desktop.models" in report["imported"]
    assert "shnor_desktop.services" in report["imported"]
    assert "shnor_desktop.cli" in report["imported"]
    assert report["qt"] == [], (
        f"models/services loaded Qt modules {report['qt']}; modules imported: {report['imported']}"
    )
