"""Terminal escape sequences from files and servers are shown escaped, never acted on (CLI and exports)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mailkit.reports.files import export
from mailkit.sanitize import for_export, for_terminal, has_controls, json_safe, one_line
from mailkit.workspace import Workspace
from tests.cli_helpers import run_mailkit

TITLE, CLEAR, CLIPBOARD = "\x1b]0;pwned\x07", "\x1b[2J", "\x1b]52;c;aGk=\x07"
HOSTILE = f"Evil{TITLE}{CLEAR}{CLIPBOARD} SA"
SECRET_ENV = {"MAILKIT_KEYRING_PASSPHRASE": "sanitize test passphrase",
              "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def raw_controls(text: str) -> bool:
    """Whether any control character other than line breaks and tabs is in `text`."""
    return any(ch not in "\n\t" and has_controls(ch) for ch in text)


def test_control_characters_are_shown_escaped():
    assert for_terminal(HOSTILE) == "Evil\\x1b]0;pwned\\x07\\x1b[2J\\x1b]52;c;aGk=\\x07 SA"
    assert for_terminal("a\nb\tc\rd\x9be\u202ef") == "a\nb\tc\\rd\\x9be\\u202ef"
    assert one_line("a\nb") == "a\\nb" and for_export("a\nb\x00") == "a\nb\\x00"
    assert json_safe('{\n  "a": "x\x9by"\n}') == '{\n  "a": "x\\u009by"\n}'
    assert for_terminal("Ferretería Łódź ✓") == "Ferretería Łódź ✓"


@pytest.fixture
def hostile_home(tmp_path: Path) -> Path:
    """A workspace whose company name, imported from a CSV, carries title, clear-screen and clipboard escapes."""
    home = tmp_path / "ws"
    source = tmp_path / "hostile.csv"
    source.write_text(f'email,company_name,provider\nx@gmail.com,"{HOSTILE}",gmail\n', encoding="utf-8")
    done = run_mailkit("account", "import", str(source), home=home)
    assert done.returncode == 0, done.stderr
    return home


def test_company_and_account_lists_never_print_escapes(hostile_home: Path):
    for args in (["company", "list"], ["account", "list"], ["company", "list", "--json"], ["report"]):
        done = run_mailkit(*args, home=hostile_home)
        assert not raw_controls(done.stdout + done.stderr), args
    listed = run_mailkit("company", "list", home=hostile_home).stdout
    assert "Evil\\x1b]0;pwned\\x07\\x1b[2J\\x1b]52;c;aGk=\\x07 SA" in listed


def test_every_export_format_escapes_control_characters(hostile_home: Path, tmp_path: Path):
    conn = sqlite3.connect(hostile_home / "mailkit.sqlite3")
    conn.execute("INSERT INTO runs (id, started_at, state, options, total) VALUES (1, '2026-01-01T00:00:00+00:00', "
                 "'finished', '{}', 1)")
    conn.execute("INSERT INTO results (run_id, account_id, status, step, reply_code, reply, checked_at) VALUES "
                 f"(1, 1, 'bad_credentials', 'auth', 535, '5.7.8 {CLEAR}{CLIPBOARD} no', '2026-01-01T00:00:01+00:00')")
    conn.commit()
    conn.close()
    for name in ("r.csv", "r.html", "r.xlsx"):
        export(tmp_path / name, Workspace(hostile_home))
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig") + (tmp_path / "r.html").read_text(encoding="utf-8")
    book = load_workbook(tmp_path / "r.xlsx")
    text += "".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None)
    assert not raw_controls(text), [repr(text[i - 30:i + 5]) for i, c in enumerate(text) if raw_controls(c)][:3]
    assert text.count("\\x1b]52;c;aGk=\\x07") >= 4  # the name and the reply, in csv, html and xlsx
    inventory = tmp_path / "inventory.csv"
    assert run_mailkit("account", "export", str(inventory), home=hostile_home).returncode == 0
    assert not raw_controls(inventory.read_text(encoding="utf-8-sig"))


class EscapingSMTP:
    """A tiny SMTP server on 127.0.0.1 whose greeting and replies carry terminal escape sequences."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(f"220 mx.example ESMTP {TITLE}{CLEAR}\r\n".encode())
        while line := await reader.readline():
            verb = line.decode(errors="replace").split(" ")[0].strip().upper()
            if verb in {"EHLO", "HELO"}:
                writer.write(f"250-mx.example {CLIPBOARD}\r\n250 AUTH PLAIN LOGIN\r\n".encode())
            elif verb == "AUTH":
                writer.write(f"535 5.7.8 {CLEAR}{CLIPBOARD} credentials rejected\r\n".encode())
            elif verb == "QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(f"502 {TITLE} no\r\n".encode())
            await writer.drain()
        writer.close()

    def __enter__(self) -> EscapingSMTP:
        self.thread.start()
        self.ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def escaping_smtp() -> Iterator[EscapingSMTP]:
    with EscapingSMTP() as server:
        yield server


def test_check_transcript_of_a_server_sending_escapes_is_shown_escaped(tmp_path: Path, escaping_smtp: EscapingSMTP):
    home, env = tmp_path / "ws", SECRET_ENV
    run_mailkit("init", "--keyring", "cryptfile", home=home, env=env)
    run_mailkit("company", "add", "acme", "--name", "Acme", home=home, env=env)
    added = run_mailkit("account", "add", "ana@acme.example", "--company", "acme", "--provider", "custom",
                        "--smtp-host", "127.0.0.1", "--smtp-port", str(escaping_smtp.port), "--security", "none",
                        "--auth", "password", home=home, env=env)
    assert added.returncode == 0, added.stderr
    stored = run_mailkit("secret", "set", "ana@acme.example", "--no-test", input="not-the-real-one\n", home=home,
                         env=env)
    assert stored.returncode == 0, stored.stderr
    done = run_mailkit("check", "ana@acme.example", "--transcript", home=home, env=env)
    assert done.returncode == 1, done.stderr
    assert not raw_controls(done.stdout + done.stderr)
    assert "\\x1b]0;pwned\\x07" in done.stdout and "\\x1b]52;c;aGk=\\x07" in done.stdout
