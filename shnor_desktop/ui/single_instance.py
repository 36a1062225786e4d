"""One window per database: a second start on the same file brings the first window forward.

The window that opens a database for writing holds a local server
(:class:`DatabaseHolder`, a named pipe on Windows, a socket on Linux) whose
name is a hash of the database's resolved path and the user's name.  Before
a database is opened, :func:`ask_holder` knocks there:

- nobody answers the knock: the database is free (:attr:`Answer.FREE`);
- the holder answers: it has brought its window forward, and this start
  opens nothing (:attr:`Answer.FORWARDED`);
- the connection is taken but no answer comes within :data:`ANSWER_TIMEOUT_MS`:
  the other window hangs (:attr:`Answer.HUNG`) — the database is then opened
  read-only and the user is told plainly.

Holders in this same process are asked directly (a blocking wait for a
server of the same thread would never be answered).
"""

from __future__ import annotations

import getpass
import hashlib
import os
import sys
import time
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

ANSWER_TIMEOUT_MS = 2000
"""How long a holder has to answer before its window is taken to hang."""
KNOCK = b"raise\n"
ANSWER = b"ok\n"

_HOLDERS: dict[str, DatabaseHolder] = {}
"""Holders of this process by server name."""


class Answer(Enum):
    """What the knock at a database's holder found."""

    FREE = "free"
    FORWARDED = "forwarded"
    HUNG = "hung"


def server_name(path: Path) -> str:
    """The local server's name for ``path``: the same for every spelling of the same file."""
    resolved = os.path.normcase(str(Path(path).expanduser().resolve()))
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no user name in some service environments
        user = ""
    digest = hashlib.sha256(f"{user}\0{resolved}".encode()).hexdigest()[:32]
    return f"shnor-desktop-{digest}"


def _allow_foreground() -> None:
    """Windows: let the holder's process take the foreground when it is asked to."""
    if sys.platform == "win32":
        import ctypes

        ctypes.windll.user32.AllowSetForegroundWindow(-1)  # type: ignore[attr-defined]


def ask_holder(path: Path, timeout_ms: int = ANSWER_TIMEOUT_MS) -> Answer:
    """Knock at the holder of ``path``; see the module's text for the answers."""
    name = server_name(path)
    local = _HOLDERS.get(name)
    if local is not None:
        local.sig_activate.emit()
        return Answer.FORWARDED
    deadline = time.monotonic() + timeout_ms / 1000
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        socket.abort()
        return Answer.FREE
    _allow_foreground()
    socket.write(KNOCK)
    socket.flush()
    received = b""
    while ANSWER not in received:
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0 or not socket.waitForReadyRead(left):
            if socket.state() == QLocalSocket.LocalSocketState.UnconnectedState and not received:
                # The holder went away meanwhile (closed its database): the file is free.
                return Answer.FREE
            socket.abort()
            return Answer.HUNG
        received += socket.readAll().data()
    socket.disconnectFromServer()
    return Answer.FORWARDED


class DatabaseHolder(QObject):
    """The local server of the window that has a database open for writing."""

    sig_activate = Signal()
    """Another start asked for this database: bring the window forward."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self._name = ""
        self._server: QLocalServer | None = None

    @property
    def holding(self) -> bool:
        """True while a database is held."""
        return self._server is not None

    def hold(self, path: Path) -> bool:
        """Answer knocks for ``path`` from now on; False when the name could not be taken."""
        self.release()
        name = server_name(path)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(name):
            # A socket left by a process that died (Unix): nobody answered the knock
            # before this window opened the file, so it is stale.
            QLocalServer.removeServer(name)
            if not server.listen(name):
                server.deleteLater()
                return False
        server.newConnection.connect(self._on_server_new_connection)
        self._server, self._name, self.path = server, name, Path(path)
        _HOLDERS[name] = self
        return True

    def release(self) -> None:
        """Stop answering (the database was closed)."""
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        if _HOLDERS.get(self._name) is self:
            del _HOLDERS[self._name]
        self._name, self.path = "", None

    def _on_server_new_connection(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            socket = server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._on_socket_ready_read(socket)

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        if KNOCK.strip() not in socket.readAll().data():
            return
        self.sig_activate.emit()
        socket.write(ANSWER)
        socket.flush()
        socket.disconnectFromServer()
