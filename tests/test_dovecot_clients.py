"""Ordinary clients an admin already has (swaks, msmtp, curl) against a real server (Dovecot) and against
mailkit's Gmail sandbox, in the same situations, asserting what each client really reports.

Where both servers behave alike, one test covers both; where the sandbox differs from a real server,
a test names the deviation and shows both sides, so it stays visible (and fails if either side changes).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.dovecot_fixtures import DovecotServer
from tests.sandbox_fixtures import access_token

MISSING = [tool for tool in ("swaks", "msmtp", "curl") if shutil.which(tool) is None]
if MISSING:  # CI installs them (.ci/run): a missing client is a broken machine, not a reason to skip
    pytest.fail(f"not installed: {', '.join(MISSING)} (apt-get install -y swaks msmtp curl)", pytrace=False)

MESSAGE = "From: {sender}\r\nTo: cliente@destino.example\r\nSubject: Factura\r\n\r\nFactura adjunta.\r\n"
TIMEOUT = 4  # seconds each client waits for a silent server


@dataclass
class Server:
    """Where a client connects and as whom: the same shape for Dovecot and the sandbox."""

    name: str
    host: str
    starttls: int
    implicit: int
    imaps: int
    ca_file: Path
    user: str
    password: str
    token: str


@pytest.fixture(params=["dovecot", "sandbox"])
def server(request: pytest.FixtureRequest) -> Server:
    if request.param == "dovecot":
        dovecot: DovecotServer = request.getfixturevalue("dovecot")
        return Server("dovecot", "localhost", dovecot.submission, dovecot.submissions, dovecot.imaps,
                      dovecot.ca_file, "facturas@empresa.example", "Secreto-2024", "good-token-facturas")
    sandbox = request.getfixturevalue("sandbox_env")
    oauth_user = "facturacion@ferreteria-delnorte.example"
    return Server("sandbox", "localhost", sandbox.info["smtp"]["port"], sandbox.info["smtps"]["port"],
                  sandbox.info["imaps"]["port"], Path(sandbox.info["ca_cert"]), oauth_user, "mtrwbkqehvzsnlcd",
                  access_token(sandbox, oauth_user))


def run(args: list[str], *, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=30)


def swaks(server: Server, port: int, *extra: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    return run(["swaks", "--server", server.host, "--port", str(port), "--timeout", str(TIMEOUT),
                "--from", server.user, "--to", "cliente@destino.example", "--auth", "PLAIN",
                "--auth-user", server.user, "--auth-password", password or server.password,
                "--tls-verify", "--tls-ca-path", str(server.ca_file), "--quit-after", "AUTH", *extra])


def msmtp(server: Server, tmp_path: Path, *, port: int, starttls: bool = True, secret: str | None = None,
          auth: str = "plain", trust: bool = True, host: str | None = None,
          host_override: str | None = None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "secret").write_text((secret or server.password) + "\n")
    config = tmp_path / "msmtprc"
    config.write_text(
        f"account test\nhost {host or server.host}\nport {port}\ntimeout {TIMEOUT}\n"
        f"tls on\ntls_starttls {'on' if starttls else 'off'}\n"
        f"tls_trust_file {server.ca_file if trust else 'system'}\n"
        + (f"tls_host_override {host_override}\n" if host_override else "")
        + f"auth {auth}\nuser {server.user}\nfrom {server.user}\npasswordeval cat {tmp_path / 'secret'}\n"
        "account default : test\n")
    config.chmod(0o600)
    return run(["msmtp", "-C", str(config), "-t"], stdin=MESSAGE.format(sender=server.user))


def curl(url: str, *extra: str, ca_file: Path | None) -> subprocess.CompletedProcess[str]:
    trust = ["--cacert", str(ca_file)] if ca_file else []
    return run(["curl", "-sS", "-v", "--max-time", str(TIMEOUT), "--url", url, *trust, *extra])


def curl_send(server: Server, tmp_path: Path, url: str, *extra: str, trust: bool = True):
    (tmp_path / "message.eml").write_text(MESSAGE.format(sender=server.user))
    return curl(url, "--mail-from", server.user, "--mail-rcpt", "cliente@destino.example",
                "-T", str(tmp_path / "message.eml"), *extra, ca_file=server.ca_file if trust else None)


# --- the same outcome on both servers -------------------------------------------------------------------------

def test_password_over_starttls_and_implicit_tls(server: Server, tmp_path: Path) -> None:
    done = swaks(server, server.starttls, "--tls")
    assert done.returncode == 0 and re.search(r"<~\s+235 ", done.stdout), done.stdout[-800:]
    assert swaks(server, server.implicit, "--tls-on-connect").returncode == 0
    assert msmtp(server, tmp_path, port=server.starttls).returncode == 0
    sent = curl_send(server, tmp_path, f"smtps://{server.host}:{server.implicit}", "--user",
                     f"{server.user}:{server.password}")
    assert sent.returncode == 0, sent.stderr[-800:]


def test_bad_password_is_535(server: Server, tmp_path: Path) -> None:
    done = swaks(server, server.starttls, "--tls", password="not-the-password")
    assert done.returncode == 28 and re.search(r"<~\*\s+535[ -]5\.7\.8", done.stdout), done.stdout[-800:]
    refused = msmtp(server, tmp_path, port=server.starttls, secret="not-the-password")
    assert refused.returncode != 0 and "5.7.8" in refused.stderr
    sent = curl_send(server, tmp_path, f"smtp://{server.host}:{server.starttls}", "--ssl-reqd", "--user",
                     f"{server.user}:not-the-password")
    assert sent.returncode == 67 and "535" in sent.stderr  # curl: login denied


def test_oauth_token_good_and_bad(server: Server, tmp_path: Path) -> None:
    good = msmtp(server, tmp_path, port=server.starttls, auth="xoauth2", secret=server.token)
    assert good.returncode == 0, good.stderr
    bad = msmtp(server, tmp_path, port=server.starttls, auth="xoauth2", secret="made-up-token")
    assert bad.returncode != 0 and "5.7.8" in bad.stderr
    denied = curl_send(server, tmp_path, f"smtp://{server.host}:{server.starttls}", "--ssl-reqd", "--user",
                       server.user, "--oauth2-bearer", "made-up-token")
    assert denied.returncode == 67


def test_starttls_on_the_implicit_port_waits_for_a_greeting_that_never_comes(server: Server,
                                                                             tmp_path: Path) -> None:
    """Both servers wait for a ClientHello: plain clients only time out (mailkit says wrong mode in ~3 s)."""
    done = swaks(server, server.implicit, "--tls")
    assert done.returncode == 21 and "Timeout (4 secs) waiting for server response" in done.stdout, done.stdout
    sent = curl_send(server, tmp_path, f"smtp://{server.host}:{server.implicit}", "--ssl-reqd", "--user",
                     f"{server.user}:{server.password}")
    assert sent.returncode == 28  # curl: operation timed out
    assert msmtp(server, tmp_path, port=server.implicit).returncode != 0


def test_ssl_on_the_starttls_port_fails_the_handshake_at_once(server: Server, tmp_path: Path) -> None:
    done = swaks(server, server.starttls, "--tls-on-connect")
    assert done.returncode != 0 and "Timeout" not in done.stdout, done.stdout
    sent = curl_send(server, tmp_path, f"smtps://{server.host}:{server.starttls}", "--user",
                     f"{server.user}:{server.password}")
    assert sent.returncode == 35, sent.stderr[-500:]  # curl: SSL connect error
    assert "wrong version number" in sent.stderr
    refused = msmtp(server, tmp_path, port=server.starttls, starttls=False)
    assert refused.returncode != 0 and "TLS" in refused.stderr


def test_a_name_the_certificate_does_not_carry(server: Server, tmp_path: Path) -> None:
    sent = curl_send(server, tmp_path, f"smtps://mail.otra-empresa.example:{server.implicit}", "--resolve",
                     f"mail.otra-empresa.example:{server.implicit}:127.0.0.1", "--user",
                     f"{server.user}:{server.password}")
    assert sent.returncode == 60 and "does not match" in sent.stderr, sent.stderr[-500:]
    refused = msmtp(server, tmp_path, port=server.starttls, host_override="mail.otra-empresa.example")
    assert refused.returncode != 0 and "name in the certificate does not match" in refused.stderr, refused.stderr


def test_a_private_ca_is_untrusted_without_its_file(server: Server, tmp_path: Path) -> None:
    sent = curl_send(server, tmp_path, f"smtps://{server.host}:{server.implicit}", "--user",
                     f"{server.user}:{server.password}", trust=False)
    assert sent.returncode == 60 and "unable to get local issuer certificate" in sent.stderr, sent.stderr[-500:]
    refused = msmtp(server, tmp_path, port=server.starttls, trust=False)
    assert refused.returncode != 0 and "certificate" in refused.stderr.lower()


def test_closed_port_is_refused(server: Server, tmp_path: Path) -> None:
    from tests.dovecot_fixtures import free_port

    port = free_port()
    sent = curl_send(server, tmp_path, f"smtp://{server.host}:{port}", "--ssl-reqd")
    assert sent.returncode == 7  # curl: couldn't connect
    assert msmtp(server, tmp_path, port=port).returncode != 0


def test_imap_login_good_and_bad(server: Server) -> None:
    url = f"imaps://{server.host}:{server.imaps}/"
    listed = curl(url, "--user", f"{server.user}:{server.password}", ca_file=server.ca_file)
    assert listed.returncode == 0 and "INBOX" in listed.stdout, listed.stderr[-500:]
    bad = curl(url, "--user", f"{server.user}:not-the-password", ca_file=server.ca_file)
    assert bad.returncode == 67 and "AUTHENTICATIONFAILED" in bad.stderr


# --- where the sandbox differs from a real server (each deviation named) -----------------------------------------

def ehlo_before_starttls(server: Server) -> str:
    done = swaks(server, server.starttls, "--quit-after", "EHLO")
    return done.stdout


def test_deviation_dovecot_offers_auth_before_starttls_to_loopback(dovecot: DovecotServer, sandbox_env) -> None:
    """Dovecot trusts loopback clients and offers AUTH on the plain connection; Gmail (and so the sandbox)
    offers AUTH only after STARTTLS. mailkit's own "AUTH before STARTTLS" case can only be shown on the sandbox."""
    real = ehlo_before_starttls(Server("dovecot", "localhost", dovecot.submission, 0, 0, dovecot.ca_file, "x", "y",
                                       ""))
    fake = ehlo_before_starttls(Server("sandbox", "localhost", sandbox_env.info["smtp"]["port"], 0, 0,
                                       Path(sandbox_env.info["ca_cert"]), "x", "y", ""))
    assert re.search(r"250-AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER", real), real
    assert "STARTTLS" in fake and not re.search(r"<~\s+250[ -]AUTH", fake), fake


def bearer_challenge(url: str, user: str, ca_file: Path, tmp_path: Path) -> dict:
    (tmp_path / "message.eml").write_text(MESSAGE.format(sender=user))
    done = curl(url, "--ssl-reqd", "--user", user, "--oauth2-bearer", "made-up-token", "--mail-from", user,
                "--mail-rcpt", "cliente@destino.example", "-T", str(tmp_path / "message.eml"), ca_file=ca_file)
    found = re.search(r"< 334 (\S+)", done.stderr)
    assert found, done.stderr[-800:]
    return json.loads(base64.b64decode(found.group(1)))


def test_deviation_the_oauth_challenge_names_each_servers_own_scope(dovecot: DovecotServer, sandbox_env,
                                                                    tmp_path: Path) -> None:
    """curl picks OAUTHBEARER. Dovecot answers a bad token with {"status":"invalid_token"} (and with
    {"status":"401","schemes":"bearer","scope":"mail"} over XOAUTH2); Gmail's challenge names its mail scope.
    Neither means a missing scope by itself: mailkit reads both as an invalid token (tests/test_oauth_challenge.py)."""
    real = bearer_challenge(f"smtp://localhost:{dovecot.submission}", "facturas@empresa.example", dovecot.ca_file,
                            tmp_path)
    fake = bearer_challenge(f"smtp://localhost:{sandbox_env.info['smtp']['port']}",
                            "facturacion@ferreteria-delnorte.example", Path(sandbox_env.info["ca_cert"]), tmp_path)
    assert real == {"status": "invalid_token"}
    assert fake.get("scope") == "https://mail.google.com/" and fake.get("status") != real["status"], fake
