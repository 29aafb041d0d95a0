"""mailkit against a real non-Google server: Debian's Dovecot (tests/dovecot_fixtures.py).

Each situation an admin meets on a company's own mail server — right and wrong password, right and
wrong token, the wrong TLS mode either way, a certificate for another name, a private CA with and
without the CA option, a closed port — checked with the library (fine assertions) and through the
`mailkit` command (check, audit, report) as an admin runs it.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailkit.checks.imap import check_imap
from mailkit.checks.results import CheckResult, Credentials
from mailkit.checks.smtp import check_smtp
from mailkit.models import build_account
from mailkit.status import Status
from tests.cli_helpers import run_mailkit
from tests.dovecot_fixtures import DovecotServer

USER, PASSWORD = "facturas@empresa.example", "Secreto-2024"
TOKEN = "good-token-facturas"
ENV = {"MAILKIT_KEYRING_PASSPHRASE": "dovecot test passphrase",
       "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
WRONG_MODE_LIMIT = 8.0  # seconds: the first-byte deadline (3 s) plus the probe, far below the 30 s greeting wait


def account(dovecot: DovecotServer, *, host: str | None = None, port: int | None = None, security: str = "starttls",
            imap_port: int | None = None, email: str = USER):
    return build_account(email, "empresa", provider_key="custom", auth="password", smtp_host=host or dovecot.host,
                         smtp_port=port or dovecot.submission, security=security, imap_host=host or dovecot.host,
                         imap_port=imap_port or dovecot.imaps, imap_security="ssl")


def smtp(dovecot: DovecotServer, credentials: Credentials | None, *, trust: bool = True, **where) -> CheckResult:
    return asyncio.run(check_smtp(account(dovecot, **where), credentials,
                                  ca_file=str(dovecot.ca_file) if trust else ""))


def imap(dovecot: DovecotServer, credentials: Credentials | None, *, trust: bool = True, **where) -> CheckResult:
    return asyncio.run(check_imap(account(dovecot, **where), credentials,
                                  ca_file=str(dovecot.ca_file) if trust else ""))


def password(secret: str = PASSWORD) -> Credentials:
    return Credentials("PASSWORD", USER, secret)


def xoauth2(token: str, scopes: tuple[str, ...] | None = None) -> Credentials:
    return Credentials("XOAUTH2", USER, token, scopes=(lambda: scopes) if scopes is not None else None)


def transcript(result: CheckResult) -> str:
    return "\n".join(result.transcript)


# --- SMTP submission -------------------------------------------------------------------------------------------

def test_password_on_starttls_and_on_implicit_tls(dovecot: DovecotServer) -> None:
    starttls = smtp(dovecot, password())
    assert starttls.status is Status.OK, starttls.to_dict()
    assert "235 2.7.0 Logged in." in transcript(starttls)
    implicit = smtp(dovecot, password(), port=dovecot.submissions, security="ssl")
    assert implicit.status is Status.OK, implicit.to_dict()
    assert [s.name for s in implicit.steps][:3] == ["dns", "tcp", "tls"]


def test_bad_password_is_bad_credentials_with_a_neutral_reply(dovecot: DovecotServer) -> None:
    result = smtp(dovecot, password("not-the-password"))
    assert result.status is Status.BAD_CREDENTIALS
    assert result.diagnosis.raw == "535 5.7.8 Authentication failed."
    assert "not-the-password" not in json.dumps(result.to_dict())


def test_xoauth2_good_token_and_a_test_send_relayed(dovecot: DovecotServer) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = USER, "cliente@destino.example", "Factura 17"
    message["Message-ID"], message["X-Mailkit-Check-Id"] = "<f17@empresa.example>", "dv-1"
    message.set_content("Factura adjunta.")
    before = len(dovecot.sink.messages)
    result = asyncio.run(check_smtp(account(dovecot), xoauth2(TOKEN), message=message,
                                    ca_file=str(dovecot.ca_file)))
    assert result.status is Status.OK, result.to_dict()
    assert "XOAUTH2 as facturas@empresa.example" in " ".join(s.detail for s in result.steps)
    relayed = dovecot.sink.messages[before:]
    assert [(sender, rcpts) for sender, rcpts, _ in relayed] == [(USER, ["cliente@destino.example"])]
    assert b"Subject: Factura 17" in relayed[0][2]


def test_bad_token_is_token_invalid_not_a_missing_gmail_scope(dovecot: DovecotServer) -> None:
    result = smtp(dovecot, xoauth2("expired-or-made-up"))
    assert result.status is Status.OAUTH_TOKEN_INVALID, result.to_dict()
    assert '"scope": "mail"' in result.diagnosis.raw and result.diagnosis.code == 535
    # the grant holds "mail": still the token, whatever the scopes
    assert smtp(dovecot, xoauth2("expired-or-made-up", ("mail",))).status is Status.OAUTH_TOKEN_INVALID
    # a grant known to lack the scope Dovecot names is the one case of a missing scope
    assert smtp(dovecot, xoauth2("expired-or-made-up", ("imap",))).status is Status.OAUTH_SCOPE_MISSING


def test_starttls_on_the_implicit_tls_port_is_wrong_mode_in_seconds(dovecot: DovecotServer) -> None:
    started = time.monotonic()
    result = smtp(dovecot, password(), port=dovecot.submissions, security="starttls")
    elapsed = time.monotonic() - started
    assert result.status is Status.TLS_ERROR and result.tls_kind == "wrong_mode", result.to_dict()
    assert "this port expects implicit TLS (use ssl)" in result.diagnosis.raw
    assert elapsed < WRONG_MODE_LIMIT, f"took {elapsed:.1f} s"


def test_ssl_on_the_starttls_port_is_wrong_mode_at_once(dovecot: DovecotServer) -> None:
    started = time.monotonic()
    result = smtp(dovecot, password(), port=dovecot.submission, security="ssl")
    elapsed = time.monotonic() - started
    assert result.status is Status.TLS_ERROR and result.tls_kind == "wrong_mode", result.to_dict()
    assert "this port expects STARTTLS (use starttls)" in result.diagnosis.raw
    assert elapsed < 2.0, f"took {elapsed:.1f} s"


def test_a_name_the_certificate_does_not_carry_is_hostname_mismatch(dovecot: DovecotServer) -> None:
    result = smtp(dovecot, password(), host="127.0.0.1")  # the certificate names localhost only
    assert result.status is Status.TLS_ERROR and result.tls_kind == "hostname_mismatch", result.to_dict()
    assert "mismatch" in result.diagnosis.raw.lower()


def test_private_ca_is_untrusted_without_the_ca_option_and_ok_with_it(dovecot: DovecotServer) -> None:
    untrusted = smtp(dovecot, password(), trust=False)
    assert untrusted.status is Status.TLS_ERROR and untrusted.tls_kind == "untrusted_issuer", untrusted.to_dict()
    assert smtp(dovecot, password(), trust=True).status is Status.OK
    implicit = smtp(dovecot, password(), trust=False, port=dovecot.submissions, security="ssl")
    assert implicit.tls_kind == "untrusted_issuer"


def test_closed_port_is_connection_refused(dovecot: DovecotServer) -> None:
    result = smtp(dovecot, password(), port=dovecot.closed)
    assert result.status is Status.CONNECTION_REFUSED and result.tls_kind == ""


# --- IMAPS -----------------------------------------------------------------------------------------------------

def test_imap_password_token_and_their_refusals(dovecot: DovecotServer) -> None:
    ok = imap(dovecot, password())
    assert ok.status is Status.OK, ok.to_dict()
    assert any(s.name == "select" and s.ok for s in ok.steps)
    assert imap(dovecot, xoauth2(TOKEN)).status is Status.OK
    bad = imap(dovecot, password("Clave-equivocada-1"))
    assert bad.status is Status.BAD_CREDENTIALS
    assert "[AUTHENTICATIONFAILED] Authentication failed." in bad.diagnosis.raw
    assert imap(dovecot, xoauth2("made-up-token-imap")).status is Status.OAUTH_TOKEN_INVALID


def test_imap_tls_failures(dovecot: DovecotServer) -> None:
    assert imap(dovecot, password(), trust=False).tls_kind == "untrusted_issuer"
    assert imap(dovecot, password(), host="127.0.0.1").tls_kind == "hostname_mismatch"
    started = time.monotonic()
    plain_port = imap(dovecot, password(), imap_port=dovecot.submission)  # implicit TLS to a plain greeting
    assert plain_port.status is Status.TLS_ERROR and plain_port.tls_kind == "wrong_mode"
    assert time.monotonic() - started < 2.0
    assert imap(dovecot, password(), imap_port=dovecot.closed).status is Status.CONNECTION_REFUSED


# --- the mailkit command as an admin runs it ------------------------------------------------------------------

ACCOUNTS = {
    # email: (extra `account add` options, password, expected status, expected TLS kind)
    "facturas@empresa.example": (["--security", "starttls"], PASSWORD, "ok", ""),
    "avisos@empresa.example": (["--smtp-port", "{submissions}", "--security", "ssl"], "Otro-secreto-9", "ok", ""),
    "clave-vieja@empresa.example": (["--security", "starttls"], "old-password", "bad_credentials", ""),
    "modo-ssl@empresa.example": (["--smtp-port", "{submissions}", "--security", "starttls"], "",
                                 "tls_error", "wrong_mode"),
    "modo-starttls@empresa.example": (["--security", "ssl"], "", "tls_error", "wrong_mode"),
    "por-ip@empresa.example": (["--smtp-host", "127.0.0.1"], "", "tls_error", "hostname_mismatch"),
    "sin-ca@empresa.example": (["--no-ca"], "", "tls_error", "untrusted_issuer"),
    "cerrado@empresa.example": (["--smtp-port", "{closed}"], "", "connection_refused", ""),
}


def add_accounts(dovecot: DovecotServer, home: Path) -> None:
    assert run_mailkit("init", "--keyring", "cryptfile", home=home, env=ENV).returncode == 0
    run_mailkit("company", "add", "empresa", "--name", "Empresa SA", home=home, env=ENV)
    ports = {"submissions": dovecot.submissions, "closed": dovecot.closed}
    for email, (options, secret, _, _) in ACCOUNTS.items():
        given = [option.format(**ports) for option in options if option != "--no-ca"]
        args = ["account", "add", email, "--company", "empresa", "--provider", "custom", "--auth", "password",
                "--smtp-host", dovecot.host, "--smtp-port", str(dovecot.submission), "--imap-host", dovecot.host,
                "--imap-port", str(dovecot.imaps), "--imap-security", "ssl", *given]
        if "--no-ca" not in options:
            args += ["--ca-file", str(dovecot.ca_file)]
        added = run_mailkit(*args, home=home, env=ENV)
        assert added.returncode == 0, added.stderr
        if secret:  # the TLS and connection failures come before AUTH: those accounts need no secret
            stored = run_mailkit("secret", "set", email, "--no-test", input=secret + "\n", home=home, env=ENV)
            assert stored.returncode == 0, stored.stderr


@pytest.fixture(scope="module")
def admin_home(dovecot: DovecotServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workspace with every situation as an account, built through the command line once."""
    home = tmp_path_factory.mktemp("dovecot-admin") / "ws"
    add_accounts(dovecot, home)
    return home


def test_cli_check_with_imap_against_dovecot(admin_home: Path) -> None:
    home = admin_home
    done = run_mailkit("check", USER, "--imap", "--json", home=home, env=ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert (data["status"], data["imap"]["status"]) == ("ok", "ok")
    bad = run_mailkit("check", "clave-vieja@empresa.example", "--imap", home=home, env=ENV)
    assert bad.returncode == 1 and "status: bad_credentials" in bad.stdout
    assert "old-password" not in bad.stdout + bad.stderr
    started = time.monotonic()
    wrong = run_mailkit("check", "modo-ssl@empresa.example", home=home, env=ENV)
    assert time.monotonic() - started < WRONG_MODE_LIMIT + 3
    assert "status: tls_error (wrong_mode)" in wrong.stdout and "use ssl" in wrong.stdout


def test_cli_audit_and_report_against_dovecot(admin_home: Path, tmp_path: Path) -> None:
    home = admin_home
    started = time.monotonic()
    audit = run_mailkit("audit", "--json", home=home, env=ENV, timeout=120)
    elapsed = time.monotonic() - started
    assert audit.returncode == 1, audit.stderr  # some accounts are broken on purpose
    results = {r["email"]: r for r in json.loads(audit.stdout)["results"]}
    for email, (_, _, status, kind) in ACCOUNTS.items():
        assert (results[email]["status"], results[email]["tls_kind"]) == (status, kind), results[email]
    assert results["modo-ssl@empresa.example"]["attempts"] == 1  # a configuration error is never retried
    assert elapsed < 30, f"audit took {elapsed:.1f} s"

    report = run_mailkit("report", "--json", home=home, env=ENV)
    assert report.returncode == 1, report.stderr
    rows = {r["email"]: r for r in json.loads(report.stdout)["accounts"]}
    assert {email: (r["status"], r["tls_kind"]) for email, r in rows.items()} == \
        {email: (status, kind) for email, (_, _, status, kind) in ACCOUNTS.items()}
    mismatch = rows["por-ip@empresa.example"]
    assert "hostname mismatch" in mismatch["cause"]
    assert "587" in rows["modo-ssl@empresa.example"]["remedy"] or "ssl" in rows["modo-ssl@empresa.example"]["remedy"]
    terminal = run_mailkit("report", home=home, env=ENV).stdout
    assert "tls_error (hostname_mismatch)" in terminal and "tls_error (untrusted_issuer)" in terminal
    assert "tls_error (wrong_mode)" in terminal
    exported = tmp_path / "report.csv"
    assert run_mailkit("report", "--output", str(exported), home=home, env=ENV).returncode == 1
    assert "hostname_mismatch" in exported.read_text(encoding="utf-8-sig")


def test_cli_workspace_ca_setting_and_a_missing_ca_file(dovecot: DovecotServer, tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert run_mailkit("init", "--keyring", "cryptfile", "--ca-file", str(dovecot.ca_file), home=home,
                       env=ENV).returncode == 0
    run_mailkit("company", "add", "empresa", "--name", "Empresa SA", home=home, env=ENV)
    added = run_mailkit("account", "add", USER, "--company", "empresa", "--provider", "custom", "--auth", "password",
                        "--smtp-host", dovecot.host, "--smtp-port", str(dovecot.submission), "--imap-host",
                        dovecot.host, "--imap-port", str(dovecot.imaps), "--imap-security", "ssl", home=home, env=ENV)
    assert added.returncode == 0, added.stderr
    run_mailkit("secret", "set", USER, "--no-test", input=PASSWORD + "\n", home=home, env=ENV)
    assert run_mailkit("check", USER, "--imap", home=home, env=ENV).returncode == 0

    missing = tmp_path / "gone.pem"
    refused = run_mailkit("account", "add", "otra@empresa.example", "--company", "empresa", "--provider", "custom",
                          "--smtp-host", dovecot.host, "--ca-file", str(missing), home=home, env=ENV)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "ca_file" in refused.stderr and "does not exist" in refused.stderr
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a certificate\n")
    garbage = run_mailkit("init", "--ca-file", str(not_pem), home=home, env=ENV)
    assert garbage.returncode == 2 and "PEM" in garbage.stderr and "Traceback" not in garbage.stderr

    shared = tmp_path / "shared-ca.pem"
    shared.write_bytes(dovecot.ca_file.read_bytes())
    run_mailkit("init", "--ca-file", str(shared), home=home, env=ENV)
    shared.unlink()  # the CA file the workspace names has gone since
    gone = run_mailkit("check", USER, home=home, env=ENV)
    assert gone.returncode == 2 and "tls.ca_file" in gone.stderr and "does not exist" in gone.stderr
    assert len(gone.stderr.strip().splitlines()) == 1


def test_account_ca_file_survives_export_and_import(dovecot: DovecotServer, workspace) -> None:
    from mailkit.inventory import Inventory
    from mailkit.models import Company
    from mailkit.tabular.accounts import export_accounts, import_accounts

    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("empresa", "Empresa SA"))
        inventory.upsert_account(replace(account(dovecot), ca_file=str(dovecot.ca_file)))
        path = workspace.home / "cuentas.csv"
        export_accounts(inventory, path)
        assert str(dovecot.ca_file) in path.read_text(encoding="utf-8-sig")
        report = import_accounts(inventory, path)
        assert report.unchanged == 1
        assert inventory.account(USER).ca_file == str(dovecot.ca_file)
