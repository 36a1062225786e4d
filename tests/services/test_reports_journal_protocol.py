"""The tutor journal of a period and a meeting's protocol, read back from the PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from shnor_desktop.services.reports import ReportInputError, ReportParams, build_report

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


def text_of(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def test_protocol_of_the_demo_meeting(demo_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "protocol.pdf"
    result = build_report("protocol", demo_path, out, ReportParams(meeting="1"))
    text = text_of(out)
    assert "ПРОТОКОЛ № 1" in text and "03.07.2023 № 1" in text
    assert "Председатель: Астраханцева О.В. – муниципальный координатор" in text
    assert "Присутствовали:" in text and "Гладилова О.А. – директор МУ РЦ" in text
    assert "ПОВЕСТКА ДНЯ" in text and "СЛУШАЛИ:" in text and "ПОСТАНОВИЛИ:" in text
    assert "1. Информацию принять к сведению." in text
    assert "Голосовали" in text
    assert "О.В. Астраханцева" in text  # the chair signs
    assert f"стр. {result.pages} из {result.pages}" in text
    # The default is the last meeting of the school year: the same protocol.
    default = tmp_path / "default.pdf"
    build_report("protocol", demo_path, default, ReportParams(year=2022))
    assert "ПРОТОКОЛ № 1" in text_of(default)


def test_protocol_refusals(demo_path: Path, tmp_path: Path) -> None:
    with pytest.raises(ReportInputError) as unknown:
        build_report("protocol", demo_path, tmp_path / "p.pdf", ReportParams(meeting="99"))
    assert unknown.value.code == "no_meeting"
    with pytest.raises(ReportInputError) as none:
        build_report("protocol", demo_path, tmp_path / "p.pdf", ReportParams(year=2010))
    assert none.value.code == "no_meetings"


def test_journal_of_a_period_with_follow_ups(demo_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "journal.pdf"
    params = ReportParams(
        year=2022, date_from=date(2022, 9, 1), date_to=date(2022, 12, 31), date=date(2023, 3, 1)
    )
    build_report("journal", demo_path, out, params)
    text = text_of(out)
    assert "Журнал работы муниципальной тьюторской команды" in text
    assert "за период с 01.09.2022 по 31.12.2022" in text
    assert "Записи журнала" in text and "Исполнение" in text
    assert "Рекомендации, не исполненные в срок (на 01.03.2023)" in text
    assert "05.09.2022" in text  # the first visit of the demo's school year
    assert "26.05.2023" not in text  # outside the period
    with pytest.raises(ReportInputError) as bad:
        build_report(
            "journal",
            demo_path,
            tmp_path / "j.pdf",
            ReportParams(date_from=date(2023, 1, 1), date_to=date(2022, 1, 1)),
        )
    assert bad.value.code == "bad_period"
