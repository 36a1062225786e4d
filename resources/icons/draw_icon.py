"""Draw the application icon: ``shnor-desktop.png`` (256 px) and ``shnor-desktop.ico``.

A school (pediment, three columns, steps) in white on a blue rounded square,
with a green bar chart rising beside it: the programme's subject and its aim.
Drawn with shapes only (no font), at 4x and scaled down, so every size is
smooth.  Run it again after a change: ``python resources/icons/draw_icon.py``
(needs Pillow); the spec and the installer take the files it writes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = 1024
ICO_SIZES = [
    (16, 16),
    (20, 20),
    (24, 24),
    (32, 32),
    (40, 40),
    (48, 48),
    (64, 64),
    (128, 128),
    (256, 256),
]

BLUE_TOP = (38, 104, 184)
BLUE_BOTTOM = (22, 66, 128)
WHITE = (255, 255, 255)
GREEN = (92, 196, 112)


def draw(size: int = SIZE) -> Image.Image:
    """Return the icon as an RGBA image of ``size`` × ``size`` pixels."""
    scale = size / 1024
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    # The background: a vertical gradient clipped to a rounded square.
    gradient = Image.new("RGBA", (size, size))
    paint = ImageDraw.Draw(gradient)
    for y in range(size):
        t = y / (size - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(BLUE_TOP, BLUE_BOTTOM, strict=True))
        paint.line([(0, y), (size, y)], fill=(*colour, 255))
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        [round(40 * scale), round(40 * scale), round(984 * scale), round(984 * scale)],
        radius=round(190 * scale),
        fill=255,
    )
    image.paste(gradient, (0, 0), mask)

    pen = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float, fill: tuple[int, ...]) -> None:
        pen.rectangle(
            [round(x0 * scale), round(y0 * scale), round(x1 * scale), round(y1 * scale)], fill=fill
        )

    # The school: pediment, entablature, three columns, two steps.
    pen.polygon(
        [(round(x * scale), round(y * scale)) for x, y in ((150, 400), (430, 220), (710, 400))],
        fill=WHITE,
    )
    box(170, 415, 690, 455, WHITE)
    for left in (205, 395, 585):
        box(left, 480, left + 70, 720, WHITE)
    box(170, 740, 690, 780, WHITE)
    box(140, 795, 720, 840, WHITE)
    # The rising bars: results going up.
    for index, (left, top) in enumerate(((745, 640), (800, 540), (855, 420))):
        del index
        box(left, top, left + 42, 840, GREEN)
    return image


def main() -> None:
    """Write the PNG and the multi-size ICO beside this script."""
    big = draw()
    png = big.resize((256, 256), Image.Resampling.LANCZOS)
    png.save(HERE / "shnor-desktop.png", optimize=True)
    big.resize((256, 256), Image.Resampling.LANCZOS).save(
        HERE / "shnor-desktop.ico", sizes=ICO_SIZES
    )


if __name__ == "__main__":
    main()
