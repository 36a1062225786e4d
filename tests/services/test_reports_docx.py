"""The Word files of the annual report and of the results note, and the ``report`` command."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

from shnor_desktop import cli, cli_report
from shnor_desktop.services.reports import KINDS, ReportParams, build_report
from shnor_desktop.services.reports.charts import BarChart, Series, layout, to_png


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Path:
    path = tmp_path_factory.mktemp("docx") / "demo.sqlite"
    shutil.copy(demo_template, path)
    return path


def _headings(document: docx.document.Document) -> list[str]:
    return [
        p.text
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    ]


def test_annual_docx_has_the_sections_tables_and_charts(demo: Path) -> None:
    out = demo.parent / "annual.docx"
    result = build_report("annual", demo, out, ReportParams(year=2022))
    assert result.format == "docx"
    document = docx.Document(str(out))
    headings = _headings(document)
    assert "1. Общие сведения о районе" in headings
    assert "8. Выводы и предложения" in headings
    assert any(h.startswith("Трек 1.") for h in headings)
    texts = "\n".join(p.text for p in document.paragraphs)
    assert "Отчёт о выполнении мероприятий дорожной карты" in texts
    cells = " ".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "всего 86 чел." in cells and "18 км" in cells
    assert len(document.inline_shapes) >= 6  # the two-year charts as pictures
    # Every table's header row repeats on each page it spans.
    grid = [t for t in document.tables if t.style is not None and t.style.name == "Table Grid"]
    assert grid and all(t.rows[0]._tr.trPr is not None for t in grid)


def test_results_docx_opens_with_its_headings(demo: Path) -> None:
    out = demo.parent / "results.docx"
    build_report("results", demo, out, ReportParams(year=2022))
    headings = _headings(docx.Document(str(out)))
    assert headings[0] == "1. Общие сведения"
    assert any(h.endswith("ВПР") for h in headings) and any(h.endswith("ОГЭ") for h in headings)


def test_chart_picture_matches_its_layout() -> None:
    chart = BarChart(
        "Качество знаний",
        ("СОШ с. Бартеневка", "Район (все школы)"),
        (Series("2021/22", (62.5, 40.0)), Series("2022/23", (20.0, None))),
        bold=frozenset({1}),
    )
    png = to_png(chart, dpi=72)
    assert png.startswith(b"\x89PNG")
    from io import BytesIO

    from PIL import Image

    scene = layout(chart)
    assert Image.open(BytesIO(png)).size == (round(scene.width), round(scene.height))
    assert any(getattr(item, "text", "") == "нет данных" for item in scene.items)


def test_cli_report_writes_the_pdf(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "паспорт.pdf"
    code = cli.main(
        [
            "report",
            "passport",
            "--db",
            str(demo),
            "--out",
            str(out),
            "--school",
            "01",
            "--year",
            "2022/23",
            "--number",
            "12",
            "--date",
            "03.07.2023",
        ]
    )
    assert code == 0
    assert out.stat().st_size > 10_000
    assert "Отчёт записан" in capsys.readouterr().out


def test_cli_report_refusals(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.pdf"
    assert cli.main(["report", "passport", "--db", str(demo), "--out", str(out)]) == 1
    assert "укажите школу" in capsys.readouterr().err
    assert cli.main(["report", "weekly", "--db", str(demo), "--out", str(out)]) == 2
    assert (
        cli.main(["report", "annual", "--db", str(tmp_path / "нет.sqlite"), "--out", str(out)]) == 1
    )
    assert "нет" in capsys.readouterr().err
    assert (
        cli.main(
            [
                "report",
                "annual",
                "--db",
                str(demo),
                "--out",
                str(tmp_path / "a.docx"),
                "--sign",
                "x.p12",
                "--pin-env",
                "PIN",
            ]
        )
        == 2
    )
    assert not out.exists()


def test_cli_kinds_agree_with_the_service() -> None:
    assert cli_report.KINDS == KINDS
