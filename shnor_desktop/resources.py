"""Where the files shipped beside the code live: fonts, icons, templates, reference lists.

From a source tree (or an editable install) they are the ``resources/`` folder at
the root of the repository; in a PyInstaller bundle the spec copies that folder
into the bundle, and ``sys._MEIPASS`` names the bundle's root.  Every module asks
here, so the two layouts never leak into the code that uses a resource.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["resource_dir", "resource_path"]


def resource_dir() -> Path:
    """Return the folder that holds the shipped resources."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Return the path of one shipped resource (``resource_path("fonts", "X.ttf")``).

    Raises :class:`FileNotFoundError` naming the path when the file is missing,
    so a broken bundle says what it lacks instead of failing later and vaguely.
    """
    path = resource_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(path)
    return path
