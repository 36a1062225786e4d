"""The Cyrillic fonts of the reports, registered with reportlab once.

reportlab's built-in fonts draw Cyrillic as black boxes, silently, so every
style, table and chart of a report names one of these families (DejaVu, shipped
in ``resources/fonts/`` with its licence) and every PDF embeds them.
"""

from __future__ import annotations

import threading
from typing import Final

from shnor_desktop.resources import resource_path

SERIF: Final = "ShnorSerif"
"""The body text: headings and paragraphs (regular, bold, italic, bold italic)."""
SANS: Final = "ShnorSans"
"""Tables and charts (regular, bold)."""
SANS_NARROW: Final = "ShnorSansCondensed"
"""Wide tables: the condensed cut (regular, bold)."""

FILES: Final[dict[str, str]] = {
    SERIF: "DejaVuSerif.ttf",
    f"{SERIF}-Bold": "DejaVuSerif-Bold.ttf",
    f"{SERIF}-Italic": "DejaVuSerif-Italic.ttf",
    f"{SERIF}-BoldItalic": "DejaVuSerif-BoldItalic.ttf",
    SANS: "DejaVuSans.ttf",
    f"{SANS}-Bold": "DejaVuSans-Bold.ttf",
    f"{SANS}-Italic": "DejaVuSans-Oblique.ttf",
    SANS_NARROW: "DejaVuSansCondensed.ttf",
    f"{SANS_NARROW}-Bold": "DejaVuSansCondensed-Bold.ttf",
}
"""Registered font name → file in ``resources/fonts``."""

_LOCK = threading.Lock()
_DONE = False


def register_fonts() -> None:
    """Register the report fonts and their families with reportlab (once per process)."""
    global _DONE  # noqa: PLW0603 (registration is process-wide in reportlab too)
    with _LOCK:
        if _DONE:
            return
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for name, file_name in FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", file_name))))
        # <b> and <i> inside a paragraph pick the right face of the family.
        addMapping(SERIF, 0, 0, SERIF)
        addMapping(SERIF, 1, 0, f"{SERIF}-Bold")
        addMapping(SERIF, 0, 1, f"{SERIF}-Italic")
        addMapping(SERIF, 1, 1, f"{SERIF}-BoldItalic")
        for family in (SANS, SANS_NARROW):
            addMapping(family, 0, 0, family)
            addMapping(family, 1, 0, f"{family}-Bold")
            addMapping(family, 0, 1, f"{SANS}-Italic")
            addMapping(family, 1, 1, f"{family}-Bold")
        _DONE = True


def font_file(name: str) -> str:
    """The path of a registered font's file (for drawing charts as pictures)."""
    return str(resource_path("fonts", FILES[name]))


def text_width(text: str, font: str, size: float) -> float:
    """The width of ``text`` in points, as reportlab measures it."""
    register_fonts()
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, font, size))
