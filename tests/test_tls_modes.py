"""The wrong TLS mode found in seconds on any port, the kind of every TLS failure, and extra CA files.

Small servers on 127.0.0.1 (asyncio, a trustme CA) play the cases a real server cannot be made to
play on demand: a silent implicit-TLS port, a slow greeter, a silent plain port, an expired certificate.
"""

from __future__ import annotations

import asyncio
import datetime
import sqlite3
import ssl
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import trustme

from mailkit.audit import AuditOptions, retry_delay
from mailkit.audit_store import AuditStore, ResultRow
from mailkit.checks.results import CheckResult, Credentials, Timeouts, tls_kind
from mailkit.checks.smtp import check_smtp
from mailkit.checks.tls import tls_kind_of_text, verify_kind
from mailkit.diagnose import Diagnosis, classify_exception, diagnosis_for
from mailkit.endpoints import check_ca_file, extra_ca_file, tls_context
from mailkit.errors import TLSFailure, UsageError
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.schema import MIGRATIONS, SCHEMA_VERSION, connect
from mailkit.status import TEMPORARY, Status
from mailkit.workspace import Workspace
from tests.company_ca import server_context

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
QUICK = Timeouts(first_byte=0.5, reply=4.0, tls=3.0)


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Says nothing, reads until the client leaves."""
    while await reader.read(1024):
        pass
    writer.close()


def slow_greeter(delay: float) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(delay)
        writer.write(b"220 mail.empresa.example ESMTP slow but fine\r\n")
        while line := await reader.readline():
            writer.write(b"221 bye\r\n" if line.upper().startswith(b"QUIT") else b"250 mail.empresa.example\r\n")
            await writer.drain()
        writer.close()
    return handle


async def check_against(handler: Handler, *, security: str = "starttls", tls: ssl.SSLContext | None = None,
                        ca_file: str = "", timeouts: Timeouts = QUICK) -> tuple[CheckResult, float]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    account = build_account("facturas@empresa.example", "empresa", provider_key="custom", auth="password",
                            smtp_host="localhost", smtp_port=port, security=security, imap_host="localhost")
    started = time.monotonic()
    try:
        async with server:
            result = await check_smtp(account, Credentials("PASSWORD", account.email, "x"), timeouts=timeouts,
                                      ca_file=ca_file)
    finally:
        server.close()
    return result, time.monotonic() - started


# --- the wrong TLS mode, in seconds ------------------------------------------------------------------------

def test_starttls_on_a_silent_implicit_tls_port_is_wrong_mode(ca: trustme.CA, ca_file: Path) -> None:
    result, elapsed = asyncio.run(check_against(silent, tls=server_context(ca), ca_file=str(ca_file)))
    assert (result.status, result.tls_kind) == (Status.TLS_ERROR, "wrong_mode"), result.to_dict()
    assert "this port expects implicit TLS (use ssl)" in result.diagnosis.raw
    assert result.failed_step == "greeting" and elapsed < 2.5


def test_the_probe_needs_no_trust_in_the_certificate_to_see_tls(ca: trustme.CA) -> None:
    """Verification stays on in the probe; a certificate it refuses still proves a TLS server is there."""
    result, _ = asyncio.run(check_against(silent, tls=server_context(ca)))
    assert result.tls_kind == "wrong_mode"


def test_default_first_byte_deadline_is_short(ca: trustme.CA, ca_file: Path) -> None:
    assert Timeouts().first_byte <= 3.0 < Timeouts().reply
    result, elapsed = asyncio.run(check_against(silent, tls=server_context(ca), ca_file=str(ca_file),
                                                timeouts=Timeouts()))
    assert result.tls_kind == "wrong_mode" and elapsed < 6.0, elapsed


def test_a_slow_greeter_is_still_waited_for() -> None:
    result, elapsed = asyncio.run(check_against(slow_greeter(1.2)))
    steps = {s.name: s for s in result.steps}
    assert steps["ehlo"].ok, result.to_dict()  # the greeting arrived after the probe said "no TLS"
    assert "no TLS there either" in "\n".join(result.transcript)
    assert result.tls_kind != "wrong_mode" and elapsed >= 1.2


def test_a_silent_plain_port_is_still_a_timeout_and_retried() -> None:
    result, _ = asyncio.run(check_against(silent, timeouts=Timeouts(first_byte=0.3, reply=1.0, tls=0.5)))
    assert result.status is Status.TIMEOUT and result.tls_kind == ""
    assert retry_delay(result, 1, AuditOptions()) is not None


def test_wrong_mode_is_never_retried_by_the_audit(ca: trustme.CA, ca_file: Path) -> None:
    result, _ = asyncio.run(check_against(silent, tls=server_context(ca), ca_file=str(ca_file)))
    assert Status.TLS_ERROR not in TEMPORARY
    assert retry_delay(result, 1, AuditOptions(retries=3)) is None


def test_ssl_on_a_plain_greeting_is_wrong_mode_at_once() -> None:
    result, elapsed = asyncio.run(check_against(slow_greeter(0), security="ssl"))
    assert (result.status, result.tls_kind) == (Status.TLS_ERROR, "wrong_mode"), result.to_dict()
    assert "this port expects STARTTLS (use starttls)" in result.diagnosis.raw and elapsed < 1.0


def test_imap_said_starttls_finds_an_implicit_tls_server(ca: trustme.CA, ca_file: Path) -> None:
    """IMAP set to STARTTLS on a port where a silent TLS server listens: the wrong mode too."""
    from mailkit.checks import imap

    async def run() -> tuple[CheckResult, float]:
        server = await asyncio.start_server(silent, "127.0.0.1", 0, ssl=server_context(ca))
        port = server.sockets[0].getsockname()[1]
        account = build_account("facturas@empresa.example", "empresa", provider_key="custom", auth="password",
                                smtp_host="localhost", imap_host="localhost", imap_port=port, imap_security="starttls")
        started = time.monotonic()
        async with server:
            result = await imap.check_imap(account, Credentials("PASSWORD", account.email, "x"), timeouts=QUICK,
                                           ca_file=str(ca_file))
        return result, time.monotonic() - started

    result, elapsed = asyncio.run(run())
    assert (result.status, result.tls_kind) == (Status.TLS_ERROR, "wrong_mode"), result.to_dict()
    assert "use ssl" in result.diagnosis.raw and elapsed < 2.5


# --- the kind of a TLS failure -----------------------------------------------------------------------------

def test_expired_certificate_is_expired(ca: trustme.CA, ca_file: Path) -> None:
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    expired = server_context(ca, not_before=past - datetime.timedelta(days=90), not_after=past)
    result, _ = asyncio.run(check_against(silent, security="ssl", tls=expired, ca_file=str(ca_file)))
    assert (result.status, result.tls_kind) == (Status.TLS_ERROR, "expired"), result.to_dict()


def test_untrusted_issuer_without_the_ca_file(ca: trustme.CA) -> None:
    result, _ = asyncio.run(check_against(silent, security="ssl", tls=server_context(ca)))
    assert result.tls_kind == "untrusted_issuer"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("certificate verify failed: certificate has expired (_ssl.c:1006)", "expired"),
        ("Hostname mismatch, certificate is not valid for 'mail.example'.", "hostname_mismatch"),
        ("IP address mismatch, certificate is not valid for '127.0.0.1'.", "hostname_mismatch"),
        ("unable to get local issuer certificate", "untrusted_issuer"),
        ("self-signed certificate in certificate chain", "untrusted_issuer"),
        ("self signed certificate", "untrusted_issuer"),
        ("TLS handshake failed: SSLV3_ALERT_HANDSHAKE_FAILURE", ""),
    ],
)
def test_kind_from_openssl_words(text: str, kind: str) -> None:
    assert tls_kind_of_text(text) == kind


def test_kind_from_openssl_codes() -> None:
    error = ssl.SSLCertVerificationError("certificate verify failed")
    error.verify_code, error.verify_message = 62, "Hostname mismatch"
    assert verify_kind(error) == "hostname_mismatch"
    error.verify_code, error.verify_message = 999, "something new"
    assert verify_kind(error) == "other"


def test_kind_of_a_diagnosis() -> None:
    assert tls_kind(diagnosis_for(Status.BAD_CREDENTIALS)) == ""
    assert tls_kind(classify_exception(TLSFailure("x", wrong_mode=True, detail="wrong_mode"))) == "wrong_mode"
    assert tls_kind(classify_exception(TLSFailure("certificate of h not trusted: certificate has expired",
                                                  detail="expired"))) == "expired"
    assert tls_kind(Diagnosis(Status.TLS_ERROR, raw="STARTTLS not offered")) == "other"


# --- stored, migrated and reported -------------------------------------------------------------------------

def test_one_migration_adds_ca_file_and_tls_kind_to_an_older_workspace(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    for version, statements in enumerate(MIGRATIONS[:-1]):
        for statement in statements:
            old.execute(statement)
        old.execute(f"PRAGMA user_version = {version + 1}")
    old.commit()
    old.close()
    conn = connect(str(path))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "ca_file" in {r[1] for r in conn.execute("PRAGMA table_info(accounts)")}
    assert "tls_kind" in {r[1] for r in conn.execute("PRAGMA table_info(results)")}
    conn.close()


def test_report_shows_the_stored_tls_kind(workspace: Workspace) -> None:
    from mailkit.reports import frames as reports

    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("empresa", "Empresa SA"))
        for email in ("a@empresa.example", "b@empresa.example"):
            inventory.upsert_account(build_account(email, "empresa", provider_key="custom", smtp_host="localhost"))
        store = AuditStore(inventory.conn)
        ids = store.account_ids()
        run = store.start_run({}, {}, list(ids.values()))
        store.record(run.id, ResultRow(ids["a@empresa.example"], "tls_error", "tls", reply="TLSFailure: handshake",
                                       tls_kind="hostname_mismatch"))
        store.record(run.id, ResultRow(ids["b@empresa.example"], "tls_error", "greeting", reply="TLSFailure: x",
                                       tls_kind="wrong_mode"))
    frame = reports.status(workspace, lang="en").set_index("email")
    assert frame.loc["a@empresa.example", "tls_kind"] == "hostname_mismatch"
    assert "hostname mismatch" in frame.loc["a@empresa.example", "cause"]
    assert "Wrong TLS mode" in frame.loc["b@empresa.example", "cause"]
    spanish = reports.status(workspace, lang="es")
    assert "tipo de error TLS" in spanish.columns
    assert "el nombre del servidor no coincide" in spanish.set_index("correo").loc["a@empresa.example", "causa"]
    assert list(reports.history(workspace, per_account=True)["tls_kind"]) == ["hostname_mismatch", "wrong_mode"]


# --- extra CA files ----------------------------------------------------------------------------------------

def test_extra_ca_adds_to_the_default_trust(ca_file: Path) -> None:
    plain, extended = tls_context(), tls_context(ca_file)
    assert extended.verify_mode is ssl.CERT_REQUIRED and extended.check_hostname
    assert len(extended.get_ca_certs()) == len(plain.get_ca_certs()) + 1


def test_bad_ca_files_are_one_clear_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        check_ca_file(tmp_path / "missing.pem")
    (tmp_path / "junk.pem").write_text("hello\n")
    with pytest.raises(UsageError, match="PEM"):
        check_ca_file(tmp_path / "junk.pem")
    with pytest.raises(UsageError, match="ca_file"):
        build_account("a@empresa.example", "empresa", provider_key="custom", smtp_host="localhost",
                      ca_file=str(tmp_path / "missing.pem"))


def test_import_refuses_a_row_whose_ca_file_is_missing(workspace: Workspace, ca_file: Path,
                                                       tmp_path: Path) -> None:
    from mailkit.tabular.accounts import import_accounts

    sheet = tmp_path / "cuentas.csv"
    sheet.write_text("empresa,correo,proveedor,servidor smtp,certificado ca\n"
                     f"empresa,a@empresa.example,custom,mail.empresa.example,{ca_file}\n"
                     f"empresa,b@empresa.example,custom,mail.empresa.example,{tmp_path / 'gone.pem'}\n",
                     encoding="utf-8")
    with Inventory.open(workspace) as inventory:
        report = import_accounts(inventory, sheet)
        assert report.added == 1 and report.rejected_lines == [3]
        assert [e.field for e in report.rejected] == ["ca_file"]
        assert inventory.account("a@empresa.example").ca_file == str(ca_file.resolve())


def test_account_ca_file_wins_over_the_workspace_setting(workspace: Workspace, ca_file: Path,
                                                        tmp_path: Path) -> None:
    account = build_account("a@empresa.example", "empresa", provider_key="custom", smtp_host="localhost")
    assert extra_ca_file(account, workspace) == ""
    other = tmp_path / "other.pem"
    other.write_bytes(ca_file.read_bytes())
    workspace.set_setting("tls.ca_file", str(other))
    assert extra_ca_file(account, workspace) == str(other)
    own = build_account("b@empresa.example", "empresa", provider_key="custom", smtp_host="localhost",
                        ca_file=str(ca_file))
    assert own.ca_file == str(ca_file.resolve()) and extra_ca_file(own, workspace) == own.ca_file
    other.unlink()
    with pytest.raises(UsageError, match=r"tls\.ca_file"):
        extra_ca_file(account, workspace)
