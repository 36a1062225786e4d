"""Measure how long the main window takes to appear, and what start-up imports.

Runs the start-up in fresh interpreters (so nothing is cached in-process)
and prints the median time from interpreter start to the window being shown
and painted, with the heavy libraries that were (wrongly) imported.

    python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import time, sys
    t0 = time.perf_counter()
    from shnor_desktop.app import make_application
    from shnor_desktop.ui.main_window import MainWindow
    from PySide6.QtCore import QSettings
    import tempfile, os
    app = make_application()
    settings = QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.show()
    app.processEvents()
    window.grab()
    t1 = time.perf_counter()
    heavy = [m for m in ("pandas", "pyqtgraph", "reportlab", "pyhanko", "openpyxl")
             if m in sys.modules]
    print(f"{t1 - t0:.3f} {','.join(heavy) or '-'}")
    """
)


def main() -> None:
    """Run the probe several times and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    times: list[float] = []
    heavy = "-"
    for _ in range(args.runs):
        start = __import__("time").perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True
        ).stdout.split()
        wall = __import__("time").perf_counter() - start
        times.append(float(out[0]))
        heavy = out[1]
        print(f"run: window shown in {float(out[0]):.3f} s (process wall {wall:.3f} s)")
    print(f"start-up to window shown, median of {args.runs}: {statistics.median(times):.3f} s")
    print(f"heavy libraries imported at start-up: {heavy}")


if __name__ == "__main__":
    main()
