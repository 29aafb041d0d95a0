"""Hostile mail servers on 127.0.0.1: each misbehaves in one way a real server (or an attacker's) can.

`hostile_server` is one fixture with one parameter per behaviour; it runs an SMTP and an IMAP server
with that behaviour in a background thread. SMTP is plain (`--security none`) except for the
wrong certificate, which is implicit TLS; IMAP is implicit TLS with a certificate from a test CA that
clients trust through SSL_CERT_FILE (the variable OpenSSL reads), except for the wrong certificate.

`run_cli` runs the real `mailkit` command in a subprocess whose keyring is an in-memory one holding the
given secrets, and measures the peak memory (VmHWM) of that process.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme

__all__ = ["HOSTILE", "hostile_server", "hostile_tls", "Hostile", "HostileTLS", "run_cli", "spawn_cli"]

#: The app password every hostile account signs in with, as Google shows it (groups of four).
APP_PASSWORD = "qwer tyui opas dfgh"
COMPACT = APP_PASSWORD.replace(" ", "")
#: The forms an echoing server sends back; none may reach any output.
PASSWORD_FORMS = [APP_PASSWORD, COMPACT, COMPACT.upper(), "QWER-TYUI-OPAS-DFGH", "qWeR tYuI oPaS dFgH",
                  "qwer  tyui\topas dfgh"]

#: Not hostile: a server that accepts any sign-in and any message, with SMTPUTF8 (`polite`) or without it.
POLITE = ["polite", "polite_ascii"]
HOSTILE = ["garbage", "silence", "endless_line", "endless_multiline", "drip", "greeting_235", "ehlo_220",
           "ehlo_235", "ehlo_200", "escape", "auth_echo", "wrong_cert", "flood"]
DRIP_BYTE_S = 0.05
_CHUNK = b"A" * 65536


@dataclass
class HostileTLS:
    """A trusted CA (its PEM for SSL_CERT_FILE) and server contexts signed by it or by a stranger."""

    ca_pem: Path
    trusted: ssl.SSLContext
    untrusted: ssl.SSLContext


@pytest.fixture(scope="session")
def hostile_tls(tmp_path_factory: pytest.TempPathFactory) -> HostileTLS:
    ca, stranger = trustme.CA(), trustme.CA()
    folder = tmp_path_factory.mktemp("hostile-ca")
    pem = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    contexts = []
    for authority in (ca, stranger):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        contexts.append(context)
    return HostileTLS(pem, *contexts)


def _gone(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
    """The client hung up (over TLS the writer may not say so yet): stop writing, or asyncio warns on every write."""
    return writer.is_closing() or reader.at_eof() or reader.exception() is not None


async def _endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, piece: bytes) -> None:
    chunk = piece * max(1, 65536 // len(piece))
    while not _gone(reader, writer):
        writer.write(chunk)
        await writer.drain()


async def _drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, text: bytes) -> None:
    while not _gone(reader, writer):
        for byte in text:
            if _gone(reader, writer):
                return
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(DRIP_BYTE_S)


def _decoded_plain(blob: str) -> tuple[str, str]:
    try:
        _, user, secret = base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("utf-8", "replace").split("\0")
    except ValueError:
        return "?", "?"
    return user, secret


def _echo_lines(sent: str, user: str, secret: str) -> list[str]:
    """What an echoing server says: the AUTH line as sent, and the credentials decoded, in many spellings."""
    spaced = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return [f"you sent {sent}", f"decoded: user={user} password={secret}", f"as shown: {spaced}",
            f"upper: {spaced.upper().replace(' ', '-')}", f"bare {secret.upper()} and {spaced.swapcase()}"]


class _SMTP:
    def __init__(self, behaviour: str):
        self.behaviour = behaviour
        self.seen: list[str] = []  # MAIL FROM / RCPT TO lines a polite server took

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        b = self.behaviour
        say = self._sayer(writer)
        if b == "garbage":
            await say(b"\x00\xff\xfe garbage \x1b[31m not smtp\r\n\x89PNG\r\n")
        elif b == "silence":
            await asyncio.sleep(3600)
        elif b == "endless_line":
            await say(b"220 ")
            await _endless(reader, writer, b"A")
        elif b == "endless_multiline":
            await _endless(reader, writer, b"220-hello again and again\r\n")
        elif b == "drip":
            await _drip(reader, writer, b"220-drip\r\n")
        elif b == "greeting_235":
            await say(b"235 2.7.0 Accepted, or so it says\r\n")
        else:
            await say(b"220 \x1b]0;owned\x07hostile ESMTP \x1b[2J\r\n" if b == "escape" else b"220 hostile ESMTP\r\n")
        await self._commands(reader, writer, say)

    @staticmethod
    def _sayer(writer: asyncio.StreamWriter) -> Callable[[bytes], Awaitable[None]]:
        async def say(data: bytes) -> None:
            writer.write(data)
            await writer.drain()
        return say

    async def _commands(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        say: Callable[[bytes], Awaitable[None]]) -> None:
        b = self.behaviour
        while raw := await reader.readline():
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO" and b.startswith("ehlo_"):
                await say(f"{b[5:]} whatever\r\n".encode())
            elif verb == "EHLO" and b == "flood":
                await _endless(reader, writer, b"250-FLOOD of capabilities\r\n")
            elif verb == "EHLO":
                utf8 = b"250-SMTPUTF8\r\n" if b == "polite" else b""
                await say(b"250-hostile\r\n250-AUTH PLAIN LOGIN\r\n" + utf8 + b"250 8BITMIME\r\n")
            elif b.startswith("polite"):
                await self._politely(verb, line, reader, say)
            elif verb == "AUTH" and b == "auth_echo":
                user, secret = _decoded_plain(line.split()[-1])
                echo = _echo_lines(line, user, secret)
                await say("".join(f"535-5.7.8 {text}\r\n" for text in echo).encode() + b"535 5.7.8 rejected\r\n")
            elif verb == "AUTH":
                await say(b"535 5.7.8 \x1b]52;c;cGF5bG9hZA==\x07 no \x1b[2J\r\n" if b == "escape"
                          else b"535 5.7.8 Username and Password not accepted\r\n")
            elif verb == "QUIT":
                await say(b"221 bye\r\n")
                return
            else:
                await say(b"250 ok\r\n")


    async def _politely(self, verb: str, line: str, reader: asyncio.StreamReader,
                        say: Callable[[bytes], Awaitable[None]]) -> None:
        """A server that works: any AUTH is accepted, mail is taken (and its envelope kept in `self.seen`)."""
        if verb == "AUTH":
            await say(b"235 2.7.0 Accepted\r\n")
        elif verb == "DATA":
            await say(b"354 go ahead\r\n")
            while (await reader.readline()) not in (b".\r\n", b""):
                pass
            await say(b"250 2.0.0 OK queued\r\n")
        elif verb == "QUIT":
            await say(b"221 bye\r\n")
        else:
            self.seen.append(line)
            await say(b"250 2.1.0 OK\r\n")


class _IMAP:
    GREETING = b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hostile ready\r\n"

    def __init__(self, behaviour: str):
        self.behaviour = behaviour

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        b = self.behaviour
        say = _SMTP._sayer(writer)
        if b == "garbage":
            await say(b"\x00\xff\xfe garbage \x1b[31m not imap\r\n")
        elif b == "silence":
            await asyncio.sleep(3600)
        elif b == "endless_line":
            await say(b"* OK ")
            await _endless(reader, writer, b"A")
        elif b == "endless_multiline":
            await say(self.GREETING)
            await _endless(reader, writer, b"* OK still here\r\n")
        elif b == "drip":
            await say(self.GREETING)
        elif b == "escape":
            await say(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] \x1b]0;owned\x07 ready \x1b[2J\r\n")
        else:
            await say(self.GREETING)
        await self._commands(reader, writer, say)

    async def _commands(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        say: Callable[[bytes], Awaitable[None]]) -> None:
        b = self.behaviour
        pending = ""  # the tag of an AUTHENTICATE waiting for its continuation
        while raw := await reader.readline():
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            tag, _, rest = line.partition(" ")
            verb = rest.split(" ", 1)[0].upper()
            if b == "flood":
                await _endless(reader, writer, b"* 1 EXISTS\r\n")
            elif b == "drip":
                await _drip(reader, writer, b"* OK drip\r\n")
            elif b.startswith(("ehlo_", "greeting_")):
                await say(b"+ OK\r\n")  # a continuation that reads like success, never a tagged OK
            elif pending:
                user, secret = _decoded_plain(line)
                echo = " / ".join(_echo_lines(f"AUTHENTICATE PLAIN {line}", user, secret))
                text = echo if b == "auth_echo" else "\x1b]52;c;cGF5bG9hZA==\x07 no" if b == "escape" else "no"
                await say(f"{pending} NO [AUTHENTICATIONFAILED] {text}\r\n".encode())
                pending = ""
            elif verb == "AUTHENTICATE":
                pending = tag
                await say(b"+ \r\n")
            elif verb == "LOGOUT":
                await say(f"* BYE\r\n{tag} OK bye\r\n".encode())
                return
            else:
                await say(f"{tag} OK done\r\n".encode())


@dataclass
class Hostile:
    """One behaviour served over SMTP and IMAP on 127.0.0.1; `smtp_port`, `imap_port`, `security`."""

    behaviour: str
    tls: HostileTLS
    smtp_port: int = 0
    imap_port: int = 0
    _loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.smtp = _SMTP(self.behaviour)

    @property
    def security(self) -> str:
        return "ssl" if self.behaviour == "wrong_cert" else "none"

    def start(self) -> Hostile:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        assert ready.wait(10), "hostile server did not start"
        return self

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        wrong = self.behaviour == "wrong_cert"
        context = self.tls.untrusted if wrong else self.tls.trusted
        smtp = self._loop.run_until_complete(asyncio.start_server(
            _guard(self.smtp.handle), "127.0.0.1", 0, ssl=context if wrong else None))
        imap = self._loop.run_until_complete(asyncio.start_server(
            _guard(_IMAP(self.behaviour).handle), "127.0.0.1", 0, ssl=context))
        self.smtp_port = smtp.sockets[0].getsockname()[1]
        self.imap_port = imap.sockets[0].getsockname()[1]
        ready.set()
        self._loop.run_forever()
        for server in (smtp, imap):
            server.close()
        tasks = asyncio.all_tasks(self._loop)
        for task in tasks:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        self._loop.close()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def account_args(self, email: str, company: str = "hostile") -> list[str]:
        """`mailkit account add` arguments for an account on this server."""
        return [email, "--company", company, "--provider", "custom", "--auth", "app-password", "--smtp-host",
                "127.0.0.1", "--smtp-port", str(self.smtp_port), "--security", self.security, "--imap-host",
                "127.0.0.1", "--imap-port", str(self.imap_port), "--imap-security", "ssl"]


def _guard(handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]):
    """A client that hangs up is the normal end of a hostile conversation."""

    async def run(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        except (ConnectionError, OSError, ssl.SSLError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError, asyncio.CancelledError):
            pass
        finally:
            writer.transport.abort()

    return run


@pytest.fixture(params=HOSTILE)
def hostile_server(request: pytest.FixtureRequest, hostile_tls: HostileTLS) -> Iterator[Hostile]:
    """One hostile behaviour (the parameter) served over SMTP and IMAP."""
    server = Hostile(request.param, hostile_tls).start()
    yield server
    server.stop()


# --- the real command, with an in-memory keyring holding the given secrets ---------------------------------
_BOOT = """
import json, os, sys, keyring
from mailkit.secrets.backends import MemoryKeyring
from mailkit.secrets.store import secret_store
from mailkit.workspace import Workspace
keyring.set_keyring(MemoryKeyring())
store = secret_store(Workspace(os.environ["MAILKIT_HOME"]))
for email, kind, value in json.loads(os.environ.pop("HOSTILE_SECRETS")):
    store.set(email, kind, value)
sys.argv = ["mailkit", *sys.argv[1:]]
from mailkit.cli import main
main()
"""


def spawn_cli(*args: str, home: Path, secrets: list[tuple[str, str, str]], env: dict[str, str] | None = None
              ) -> subprocess.Popen[str]:
    """`mailkit --home HOME ARGS...` in a subprocess with these (email, kind, value) secrets in its keyring."""
    full = {**os.environ, "MAILKIT_HOME": str(home), "PYTHONIOENCODING": "utf-8", "HOSTILE_SECRETS":
            json.dumps(secrets), **(env or {})}
    full.pop("PYTHON_KEYRING_BACKEND", None)
    return subprocess.Popen([sys.executable, "-c", _BOOT, "--home", str(home), *args], env=full, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8")


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float
    stop_seconds: float | None = None
    timed_out: bool = False


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_cli(*args: str, home: Path, secrets: list[tuple[str, str, str]], env: dict[str, str] | None = None,
            signal_after: float | None = None, signum: int = signal.SIGTERM, timeout: float = 60) -> Finished:
    """Run to the end (or send `signum` after `signal_after` s); peak memory is sampled every 50 ms. A command
    still running after `timeout` s is killed (`timed_out`)."""
    started = time.monotonic()
    child = spawn_cli(*args, home=home, secrets=secrets, env=env)
    peak, signalled = 0.0, None
    try:
        while child.poll() is None and time.monotonic() - started < timeout:
            peak = max(peak, peak_rss_mb(child.pid))
            if signal_after is not None and signalled is None and time.monotonic() - started >= signal_after:
                child.send_signal(signum)
                signalled = time.monotonic()
            time.sleep(0.05)
    finally:
        timed_out = child.poll() is None
        if timed_out:
            child.kill()
        out, err = child.communicate()
    ended = time.monotonic()
    return Finished(child.returncode, out, err, ended - started, peak,
                    None if signalled is None else ended - signalled, timed_out)
