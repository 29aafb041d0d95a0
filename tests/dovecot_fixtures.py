"""A real non-Google mail server for the tests: Debian's Dovecot 2.3 as its own instance on 127.0.0.1.

Submission with STARTTLS and with implicit TLS, IMAPS, PLAIN/LOGIN against a passwd-file and
XOAUTH2/OAUTHBEARER through Dovecot's oauth2 passdb, which asks a small token-introspection endpoint
(http.server in a thread) whether a token is active. Submission relays to a local aiosmtpd sink.
The certificate comes from a trustme CA and names `localhost` only: connecting by `127.0.0.1` is a
hostname mismatch, and without the CA file the issuer is untrusted.

`dovecot -c DIR/dovecot.conf` never touches the system service; `kill $(cat DIR/run/master.pid)` stops it.
When Dovecot is not installed the tests fail (CI installs it: `.ci/run`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller

__all__ = ["dovecot"]

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
CERT_NAME = "localhost"  # the only name the server's certificate carries
USERS = {"facturas@empresa.example": "Secreto-2024", "avisos@empresa.example": "Otro-secreto-9"}
TOKENS = {"good-token-facturas": "facturas@empresa.example", "good-token-avisos": "avisos@empresa.example"}
START_TIMEOUT = 20.0


def free_port() -> int:
    """A port nothing listens on now (bound and released at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Sink:
    """aiosmtpd handler: what Dovecot's submission service relayed."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 OK queued by the sink"


class _Introspection(BaseHTTPRequestHandler):
    """RFC 7662-style introspection: `{"active": true, "email": ...}` for a known token, else inactive."""

    tokens: dict[str, str] = TOKENS
    seen: list[str] = []

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0]
        if not token:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        self.seen.append(token)
        email = self.tokens.get(token)
        body = {"active": True, "email": email, "scope": "mail"} if email else {"active": False}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@dataclass
class DovecotServer:
    """A running Dovecot instance: its ports, its CA, its accounts and tokens, what it relayed."""

    home: Path
    submission: int  # STARTTLS
    submissions: int  # implicit TLS
    imaps: int
    closed: int  # a port nothing listens on
    ca: trustme.CA
    ca_file: Path
    sink: Sink
    host: str = CERT_NAME
    users: dict[str, str] = field(default_factory=lambda: dict(USERS))
    tokens: dict[str, str] = field(default_factory=lambda: dict(TOKENS))

    @property
    def log(self) -> str:
        path = self.home / "dovecot.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    @property
    def pid(self) -> int:
        return int((self.home / "run" / "master.pid").read_text().strip())


def _config(home: Path, ports: dict[str, int], introspection: int, sink: int) -> str:
    return f"""
protocols = submission imap
listen = 127.0.0.1
base_dir = {home}/run/
state_dir = {home}/state/
log_path = {home}/dovecot.log
instance_name = mailkit-test-{os.getpid()}-{ports['submission']}
hostname = localhost
ssl = required
ssl_cert = <{home}/server.crt
ssl_key = <{home}/server.key
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {home}/oauth2.conf.ext
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = {home}/users
}}
mail_location = maildir:~/Maildir
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={home}/mail/%n
}}
submission_relay_host = 127.0.0.1
submission_relay_port = {sink}
submission_relay_trusted = no
service submission-login {{
  inet_listener submission {{
    address = 127.0.0.1
    port = {ports['submission']}
  }}
  inet_listener submissions {{
    address = 127.0.0.1
    port = {ports['submissions']}
    ssl = yes
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ports['imaps']}
    ssl = yes
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def _oauth2_config(introspection: int) -> str:
    return (f"introspection_mode = post\nintrospection_url = http://127.0.0.1:{introspection}/introspect\n"
            "force_introspection = yes\nusername_attribute = email\nactive_attribute = active\n"
            "active_value = true\n")


def _wait_listening(ports: list[int], deadline: float) -> bool:
    pending = set(ports)
    while pending and time.monotonic() < deadline:
        for port in list(pending):
            with socket.socket() as sock:
                sock.settimeout(0.2)
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    pending.discard(port)
        time.sleep(0.05)
    return not pending


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """Debian's Dovecot with submission (STARTTLS and implicit TLS) and IMAPS on 127.0.0.1, for the session."""
    if DOVECOT is None:
        pytest.fail("Dovecot is not installed: apt-get install -y dovecot-core dovecot-submissiond dovecot-imapd "
                    "(.ci/run does this)", pytrace=False)
    home = Path(tempfile.mkdtemp(prefix="mailkit-dovecot-"))
    home.chmod(0o755)  # the dovecot and nobody users must traverse it
    for name in ("run", "state"):
        (home / name).mkdir()
    (home / "mail").mkdir(mode=0o1777)
    (home / "mail").chmod(0o1777)
    ca = trustme.CA()
    cert = ca.issue_cert(CERT_NAME)
    (home / "server.crt").write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    cert.private_key_pem.write_to_path(str(home / "server.key"))
    (home / "server.key").chmod(0o644)  # a throwaway key of a throwaway CA
    ca_file = home / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    (home / "users").write_text("".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in USERS.items()))

    sink = Sink()
    relay = Controller(sink, hostname="127.0.0.1", port=free_port())
    relay.start()
    introspection = ThreadingHTTPServer(("127.0.0.1", 0), _Introspection)
    threading.Thread(target=introspection.serve_forever, daemon=True).start()
    (home / "oauth2.conf.ext").write_text(_oauth2_config(introspection.server_address[1]))

    ports = {"submission": free_port(), "submissions": free_port(), "imaps": free_port()}
    (home / "dovecot.conf").write_text(_config(home, ports, introspection.server_address[1], relay.port))
    server = DovecotServer(home, ports["submission"], ports["submissions"], ports["imaps"], free_port(), ca, ca_file,
                           sink)
    try:
        # The master daemonizes and its children keep inherited pipes open: output goes to a file.
        with open(home / "start.log", "wb") as out:
            started = subprocess.run([DOVECOT, "-c", str(home / "dovecot.conf")], stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT, timeout=30)
        if started.returncode != 0 or not _wait_listening(list(ports.values()), time.monotonic() + START_TIMEOUT):
            said = (home / "start.log").read_text(errors="replace").strip()
            pytest.fail(f"Dovecot did not start (exit {started.returncode}): {said}\n{server.log}", pytrace=False)
        yield server
    finally:
        _stop(home)
        introspection.shutdown()
        introspection.server_close()
        relay.stop()
        shutil.rmtree(home, ignore_errors=True)


def _stop(home: Path) -> None:
    """SIGTERM the master (its children follow) and wait until it is gone."""
    pid_file = home / "run" / "master.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().strip())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
