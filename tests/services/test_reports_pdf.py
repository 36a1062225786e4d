"""The PDF reports of the demo district: their text, fonts, pages, letterhead and Cancel.

The text is read back from the PDF with poppler's ``pdftotext`` and the
fonts with ``pdffonts``, as an official's computer would see them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import Cancelled
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.metrics import quality
from shnor_desktop.models.report_texts import ReportTextRepository
from shnor_desktop.models.text import format_number
from shnor_desktop.services.reports import ReportInputError, ReportParams, build_report
from shnor_desktop.services.reports import content as c
from shnor_desktop.services.reports.pdf import write_pdf
from shnor_desktop.services.reports.settings import OFFICE, SIGNER_NAME

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils (pdftotext, pdffonts) is not installed",
)


def text_of(pdf: Path, page: int | None = None) -> str:
    """The PDF's text as pdftotext reads it (one page, or all)."""
    pages = ["-f", str(page), "-l", str(page)] if page is not None else []
    out = subprocess.run(
        ["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, check=True
    )
    return " ".join(out.stdout.decode("utf-8").split())


def fonts_of(pdf: Path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) of every font pdffonts lists."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True)
    rows = []
    for line in out.stdout.splitlines()[2:]:
        parts = line.split()
        # name type… encoding emb sub uni object ID: «emb» is the 5th field from the end.
        rows.append((parts[0], parts[-5]))
    return rows


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Path:
    """One copy of the demo for the module's reports (they only read it)."""
    path = tmp_path_factory.mktemp("reports") / "demo.sqlite"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture(scope="module")
def passport(demo: Path) -> Path:
    out = demo.parent / "passport.pdf"
    build_report("passport", demo, out, ReportParams(year=2022, school="01", number="7-п"))
    return out


@pytest.fixture(scope="module")
def annual(demo: Path) -> tuple[Path, int]:
    out = demo.parent / "annual.pdf"
    result = build_report("annual", demo, out, ReportParams(year=2022))
    return out, result.pages


@pytest.fixture(scope="module")
def results(demo: Path) -> Path:
    out = demo.parent / "results.pdf"
    build_report("results", demo, out, ReportParams(year=2022))
    return out


def test_passport_holds_bartenevka_figures(passport: Path) -> None:
    text = text_of(passport)
    assert "Паспорт общеобразовательной организации" in text
    assert "МОУ «СОШ с. Бартеневка им. П.Е. Толстова»" in text
    assert "на 2022/2023 учебный год" in text
    assert "всего 86 чел.; 1–4 классы — 36; 5–9 классы — 48" in text
    assert "Расстояние до районного центра 18 км" in text
    assert "Показатели паспорта в динамике" in text
    assert "Дефициты" in text and "Социальные дефициты" in text
    assert "№ 7-п" in text
    # The office of the demo district heads the letterhead.
    assert "Управление образованием администрации Ивантеевского" in text


def test_every_kind_embeds_all_its_fonts(
    passport: Path, annual: tuple[Path, int], results: Path
) -> None:
    for pdf in (passport, annual[0], results):
        fonts = fonts_of(pdf)
        assert fonts, pdf
        assert all(embedded == "yes" for _, embedded in fonts), (pdf, fonts)
        assert all("DejaVu" in name for name, _ in fonts), fonts


def test_annual_report_follows_seed_004(annual: tuple[Path, int]) -> None:
    pdf, pages = annual
    text = text_of(pdf)
    for heading in (
        "1. Общие сведения о районе",
        "2. Группы школ и основания отнесения к ним",
        "3. Специфика школ: паспорта и дефициты",
        "Трек 1. Адресная поддержка школ с низкими образовательными результатами",
        "Трек 2. Организация работы со школами",
        "Трек 3. Профилактика учебной неуспешности",
        "5. Результаты оценочных процедур",
        "6. Показатели программы: план и факт",
        "7. Выполнение дорожной карты",
        "8. Выводы и предложения",
    ):
        assert heading in text, heading
    assert "за 2022/2023 учебный год" in text
    assert "всего 86 чел." in text and "18 км" in text
    assert "12 757" in text  # the district's population
    assert "ОГЭ по предмету «Русский язык»: качество знаний" in text  # a two-year chart
    assert f"стр. 1 из {pages}" in text and f"стр. {pages} из {pages}" in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(rf"Pages:\s+{pages}\b", info.stdout)


def test_annual_roadmap_table_repeats_its_header_on_the_next_page(
    annual: tuple[Path, int],
) -> None:
    pdf, pages = annual
    start = next(
        n
        for n in range(1, pages + 1)
        if "Перечень мероприятий («Дорожная карта»)" in text_of(pdf, n)
    )
    following = text_of(pdf, start + 1)
    assert "Анализ эффективности принятых мер" in text_of(pdf, pages) + following
    assert "№ Мероприятие Срок Ответственные Статус" in following


def test_a_table_longer_than_a_page_repeats_its_header(tmp_path: Path) -> None:
    document = c.Document(
        kind="test",
        title="Проверка",
        letterhead=c.Letterhead("Управление"),
        blocks=[
            c.Table(
                (c.Column("Школа-заголовок"), c.Column("Значение-заголовок", 1, "right")),
                tuple((f"Школа № {i}", str(i)) for i in range(150)),
            )
        ],
    )
    out = tmp_path / "long.pdf"
    info = write_pdf(document, out)
    assert info.pages >= 3
    for page in range(1, info.pages + 1):
        text = text_of(out, page)
        assert "Школа-заголовок Значение-заголовок" in text, page
        assert f"стр. {page} из {info.pages}" in text
    assert "Школа № 149" in text_of(out, info.pages)


def test_results_note_pools_the_district(demo: Path, results: Path) -> None:
    text = text_of(results)
    assert "Аналитическая справка о результатах оценочных процедур" in text
    for heading in ("ВПР", "ОГЭ", "ЕГЭ", "Объективность ВПР 2022/23", "Выводы"):
        assert heading in text
    with closing(Database.open(demo)) as db:
        pooled = db.results.district_counts(2022, "ОГЭ", "Русский язык", 9)
    expected = format_number(quality(pooled), 1)
    line = next(
        ln
        for ln in subprocess.run(
            ["pdftotext", "-layout", str(results), "-"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        if ln.split()[:3] == ["ОГЭ", "Русский", "язык"]
    )
    assert expected in line.split()
    assert "п.п." in text


def test_coordinator_conclusions_reach_the_annual_report(demo: Path, tmp_path: Path) -> None:
    own = tmp_path / "own.sqlite"
    shutil.copy(demo, own)
    with closing(Database.open(own)) as db:
        texts = ReportTextRepository(db.log)
        assert texts.set("annual", 2022, "Школа с. Бартеневка вышла из перечня ШНОР.", "Выводы")
        assert (
            texts.set("annual", 2022, "Школа с. Бартеневка вышла из перечня ШНОР.", "Те же") is None
        )
        db.settings.set(OFFICE, "Отдел образования Тестового района", "Бланк")
        db.settings.set(SIGNER_NAME, "И.И. Иванов", "Бланк")
    out = tmp_path / "annual.pdf"
    build_report("annual", own, out, ReportParams(year=2022))
    text = text_of(out)
    assert "Школа с. Бартеневка вышла из перечня ШНОР." in text
    assert "Отдел образования Тестового района" in text
    assert "И.И. Иванов" in text
    with closing(Database.open(own)) as db:
        info = ReportTextRepository(db.log).set("annual", 2022, "", "Стереть")
        assert info is not None
        assert ReportTextRepository(db.log).get("annual", 2022) == ""


def test_cancel_leaves_no_file(demo: Path, tmp_path: Path) -> None:
    state = JobState()
    state.cancel()
    out = tmp_path / "annual.pdf"
    with pytest.raises(Cancelled):
        build_report("annual", demo, out, ReportParams(year=2022), state)
    assert list(tmp_path.iterdir()) == []


def test_refusals_are_typed(demo: Path, tmp_path: Path) -> None:
    with pytest.raises(ReportInputError) as missing:
        build_report("passport", demo, tmp_path / "p.pdf", ReportParams())
    assert missing.value.code == "school_required"
    with pytest.raises(ReportInputError) as unknown:
        build_report("passport", demo, tmp_path / "p.pdf", ReportParams(school="99"))
    assert unknown.value.code == "unknown_school"
    with pytest.raises(ReportInputError) as docx:
        build_report("passport", demo, tmp_path / "p.docx", ReportParams(school="01"))
    assert docx.value.code == "docx_kind"
    assert list(tmp_path.iterdir()) == []
