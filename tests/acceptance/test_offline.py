"""Offline by design: the program opens no network connection (issue 12).

Every way Python reaches the network (``socket.connect``/``connect_ex``,
``create_connection``, name look-ups) is replaced by a trap for the test's
duration; then the application starts, opens the demo district, builds
reports (PDF, with charts and the bundled fonts), signs one and checks the
signature — the steps where a library might phone home (fonts, time stamps,
revocation lists).  Local sockets (``AF_UNIX``: the one-window-per-database
knock) are not the network and pass.
"""

from __future__ import annotations

import importlib.util
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

NETWORK_FAMILIES = {socket.AF_INET, socket.AF_INET6}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Trap every network connection and name look-up; yield the list of attempts."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in NETWORK_FAMILIES:
            attempts.append(f"connect {address!r}")
            raise OSError("network is forbidden in this test")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in NETWORK_FAMILIES:
            attempts.append(f"connect_ex {address!r}")
            return 111
        return real_connect_ex(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        attempts.append(f"create_connection {address!r}")
        raise OSError("network is forbidden in this test")

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> list[Any]:
        attempts.append(f"getaddrinfo {host!r}")
        raise socket.gaierror("name look-ups are forbidden in this test")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts


def test_the_trap_catches_a_connection(no_network: list[str]) -> None:
    """The trap itself works: a plain connection attempt is caught and recorded."""
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 80), timeout=1)
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(OSError):
            probe.connect(("127.0.0.1", 9))
    finally:
        probe.close()
    assert len(no_network) == 2


def test_start_demo_reports_and_signing_open_no_network_connection(
    qtbot: QtBot,
    settings: QSettings,
    tmp_path: Path,
    no_network: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The application's first minutes, offline: nothing tries to reach the network."""
    from shnor_desktop.ui.main_window import MainWindow

    monkeypatch.setenv("SHNOR_DESKTOP_LOG_DIR", str(tmp_path / "logs"))
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    task = window.open_demo()
    assert task is not None
    qtbot.waitUntil(lambda: window.db is not None, timeout=30000)
    db = window.db
    assert db is not None

    built: list[str] = []
    if importlib.util.find_spec("shnor_desktop.services.reports") is not None:
        from shnor_desktop.services.reports import build_report

        for kind in ("annual", "results"):
            out = tmp_path / f"{kind}.pdf"
            build_report(kind, db.path, out)
            assert out.read_bytes().startswith(b"%PDF")
            built.append(kind)
        if importlib.util.find_spec("shnor_desktop.services.signing") is not None:
            from shnor_desktop.services import signing

            cert = tmp_path / "test.p12"
            signing.make_test_certificate(cert, "offline-1234")
            signed = tmp_path / "annual-signed.pdf"
            signing.sign_pdf(tmp_path / "annual.pdf", signed, cert, "offline-1234")
            result = signing.verify_pdf(signed)
            assert result is not None
            built.append("signed+verified")
    window.close()
    assert no_network == [], "the application tried to reach the network: " + "; ".join(no_network)
    # Tell the reader of the log what the flow covered (reports arrive with issue 12's peers).
    print("offline flow covered: start, demo" + "".join(f", {b}" for b in built))
