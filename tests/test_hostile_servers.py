"""Hostile servers: never a false ok, never a hang, bounded memory, one bad account never sinks a run,
and a password echoed by a server reaches no output, row, transcript or export."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from mailkit import endpoints
from mailkit.audit import AuditOptions, run_audit
from mailkit.checks.core import plain_string
from mailkit.checks.imap import check_imap
from mailkit.checks.results import Credentials, Timeouts
from mailkit.checks.smtp import check_smtp
from mailkit.inventory import Inventory
from mailkit.models import Account, Company, build_account
from mailkit.secrets.redaction import compact
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.status import Status
from mailkit.workspace import Workspace
from tests.hostile_servers import APP_PASSWORD, COMPACT, HOSTILE, PASSWORD_FORMS, Hostile, HostileTLS, run_cli

QUICK = Timeouts(dns=2, connect=2, tls=2, reply=2, data=2)
ENDLESS = ["endless_multiline", "flood", "endless_line", "drip", "silence"]


@pytest.fixture
def trust(hostile_tls: HostileTLS, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Clients trust the hostile servers' CA (as OpenSSL does through SSL_CERT_FILE); the env for subprocesses."""
    monkeypatch.setenv("SSL_CERT_FILE", str(hostile_tls.ca_pem))
    endpoints._tls_context.cache_clear()
    yield {"SSL_CERT_FILE": str(hostile_tls.ca_pem)}
    endpoints._tls_context.cache_clear()


def account_on(server: Hostile, email: str = "hostile@hostile.example") -> Account:
    return Account(email, "hostile", provider="custom", auth="app_password", smtp_host="127.0.0.1",
                   smtp_port=server.smtp_port, security=server.security, imap_host="127.0.0.1",
                   imap_port=server.imap_port)


def assert_no_password(text: str, email: str = "hostile@hostile.example") -> None:
    """No spelling of the app password (any case, any spacing) and no SASL blob carrying it."""
    assert COMPACT not in compact(text), text[:2000]
    assert plain_string(email, COMPACT) not in text
    for form in PASSWORD_FORMS:
        assert form not in text


def _bounded(coro_factory) -> tuple[object, float, float]:
    """Run a check; (result, seconds, peak MB of Python allocations)."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = asyncio.run(asyncio.wait_for(coro_factory(), 20))
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return result, time.monotonic() - started, peak


@pytest.mark.parametrize("protocol", ["smtp", "imap"])
def test_every_hostile_server_gets_a_non_ok_status_in_bounded_time_and_memory(hostile_server, trust, protocol):
    account = account_on(hostile_server)
    credentials = Credentials("PASSWORD", account.email, COMPACT)
    check = check_smtp if protocol == "smtp" else check_imap
    result, seconds, peak = _bounded(lambda: check(account, credentials, timeouts=QUICK))
    assert result.status is not Status.OK, result.to_dict()
    # a silent STARTTLS port: the first-byte wait, a TLS probe, then the greeting's own deadline
    assert seconds < QUICK.first_byte + QUICK.tls + 2 * QUICK.reply + 3 and peak < 50, (seconds, peak)
    assert_no_password("\n".join([*result.transcript, json.dumps(result.to_dict())]))
    assert len(result.transcript) < 1500 and all(len(line) < 1200 for line in result.transcript)


@pytest.mark.parametrize("behaviour", ["greeting_235", "ehlo_220", "ehlo_235", "ehlo_200"])
def test_a_reply_that_reads_as_success_is_never_ok(hostile_tls, trust, behaviour):
    """Before: `✗ ehlo 220 whatever` and then `status: ok` (classify_reply's any-2xx rule)."""
    server = Hostile(behaviour, hostile_tls).start()
    try:
        account = account_on(server)
        credentials = Credentials("PASSWORD", account.email, COMPACT)
        smtp = asyncio.run(check_smtp(account, credentials, timeouts=QUICK))
        imap = asyncio.run(check_imap(account, credentials, timeouts=QUICK))  # answers `+ OK` to everything
    finally:
        server.stop()
    assert smtp.status is Status.UNKNOWN and "unexpected reply" in smtp.diagnosis.raw
    assert imap.status is Status.UNKNOWN and "unexpected reply at auth" in imap.diagnosis.raw
    assert not any(s.name == "auth" and s.ok for s in smtp.steps + imap.steps)


def test_check_command_says_not_ok_for_an_ehlo_answered_220(hostile_tls, trust, tmp_path):
    """Before: `✗ ehlo 220 whatever`, then `status: ok` and exit 0."""
    server = Hostile("ehlo_220", hostile_tls).start()
    try:
        home = tmp_path / "home"
        secrets = _workspace_with(home, [server], trust)
        done = run_cli("check", "ehlo_220@hostile.example", "--imap", "--json", home=home, secrets=secrets,
                       env=trust, timeout=40)
    finally:
        server.stop()
    data = json.loads(done.stdout)
    assert done.returncode != 0 and data["status"] == "unknown" and data["imap"]["status"] == "unknown", data


def test_a_polite_server_still_gives_ok(hostile_tls, trust):
    server = Hostile("polite", hostile_tls).start()
    try:
        result = asyncio.run(check_smtp(account_on(server), Credentials("PASSWORD", "u", COMPACT), timeouts=QUICK))
    finally:
        server.stop()
    assert result.status is Status.OK and any(s.name == "auth" and s.ok for s in result.steps)


# --- the real command ---------------------------------------------------------------------------------------
def _workspace_with(home: Path, servers: list[Hostile], env: dict[str, str], *,
                    emails: list[str] | None = None) -> list[tuple[str, str, str]]:
    """Accounts on these servers added through the CLI; the (email, kind, secret) the CLI's keyring gets."""
    assert run_cli("company", "add", "hostile", "--name", "Hostile", home=home, secrets=[], env=env).returncode == 0
    emails = emails or [f"{s.behaviour}@hostile.example" for s in servers]
    for server, email in zip(servers, emails, strict=True):
        added = run_cli("account", "add", *server.account_args(email), home=home, secrets=[], env=env)
        assert added.returncode == 0, added.stderr
    return [(email, "app_password", APP_PASSWORD) for email in emails]


@pytest.fixture
def every_hostile(hostile_tls: HostileTLS):
    servers = [Hostile(b, hostile_tls).start() for b in HOSTILE]
    yield servers
    for server in servers:
        server.stop()


def test_audit_of_every_hostile_server_ends_within_its_deadline(every_hostile, trust, tmp_path):
    home = tmp_path / "home"
    secrets = _workspace_with(home, every_hostile, trust)
    done = run_cli("audit", "--deadline", "5", "--json", "--no-progress", home=home, secrets=secrets, env=trust,
                   timeout=40)
    assert not done.timed_out and done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["state"] == "finished" and data["checked"] == len(HOSTILE)
    assert {r["email"].split("@")[0]: r["status"] for r in data["results"] if r["status"] == "ok"} == {}
    assert max(r["duration_ms"] for r in data["results"]) < 5000 + 500  # the per-account deadline holds
    assert done.seconds < 5 + 8 and done.peak_rss_mb < 200, (done.seconds, done.peak_rss_mb)
    assert_no_password(done.stdout + done.stderr, "auth_echo@hostile.example")
    with sqlite3.connect(home / "mailkit.sqlite3") as conn:
        replies = "\n".join(str(row) for row in conn.execute("SELECT * FROM results"))
    assert_no_password(replies, "auth_echo@hostile.example")
    for suffix in ("html", "csv", "xlsx"):
        report = tmp_path / f"report.{suffix}"
        assert run_cli("report", "-o", str(report), home=home, secrets=[], env=trust).returncode == 1
        text = (report.read_bytes().decode("utf-8", "replace") if suffix != "xlsx" else
                "".join(zipfile.ZipFile(report).read(n).decode("utf-8", "replace")
                        for n in zipfile.ZipFile(report).namelist()))
        assert "auth_echo@hostile.example" in text
        assert_no_password(text, "auth_echo@hostile.example")


def test_check_transcript_of_an_echoing_server_shows_no_password(hostile_tls, trust, tmp_path):
    """Before: the spaced form (`qwer tyui opas dfgh`) reached the terminal in the 535 reply."""
    server = Hostile("auth_echo", hostile_tls).start()
    try:
        home = tmp_path / "home"
        secrets = _workspace_with(home, [server], trust)
        done = run_cli("check", "auth_echo@hostile.example", "--imap", "--transcript", home=home, secrets=secrets,
                       env=trust, timeout=40)
    finally:
        server.stop()
    assert done.returncode != 0 and "bad_credentials" in done.stdout, done.stdout + done.stderr
    assert "you sent AUTH PLAIN [redacted]" in done.stdout
    assert_no_password(done.stdout + done.stderr, "auth_echo@hostile.example")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_an_audit_of_endless_servers_within_2_s_and_it_resumes(hostile_tls, trust, tmp_path,
                                                                                signum):
    """Before: 697 s at 4.3 GB, SIGINT and SIGTERM ignored (here: still running 39 s after SIGTERM)."""
    servers = [Hostile(b, hostile_tls).start() for b in ENDLESS]
    try:
        home = tmp_path / "home"
        secrets = _workspace_with(home, servers, trust)
        done = run_cli("audit", "--deadline", "5", "--no-progress", home=home, secrets=secrets, env=trust,
                       signal_after=1.0, signum=signum, timeout=30)
        assert not done.timed_out and done.stop_seconds is not None, done.stderr
        assert done.stop_seconds < 2 and done.peak_rss_mb < 200, (done.stop_seconds, done.peak_rss_mb)
        assert done.returncode == (130 if signum == signal.SIGINT else 1), done.stdout + done.stderr
        assert "--resume 1" in done.stdout + done.stderr
        with sqlite3.connect(home / "mailkit.sqlite3") as conn:
            assert conn.execute("SELECT state FROM runs").fetchone()[0] == "interrupted"
        resumed = run_cli("audit", "--resume", "last", "--json", "--no-progress", home=home, secrets=secrets,
                          env=trust, timeout=30)
    finally:
        for server in servers:
            server.stop()
    assert not resumed.timed_out and resumed.returncode == 1, resumed.stderr
    data = json.loads(resumed.stdout)
    assert data["state"] == "finished" and data["checked"] == len(ENDLESS)
    assert all(r["status"] != "ok" for r in data["results"])


# --- one account never sinks the run ---------------------------------------------------------------------------
def test_a_non_ascii_local_part_is_its_own_result_and_the_run_goes_on(hostile_tls, trust, tmp_path):
    """Before: NonASCIILocalPartDefect in message building, 0 rows saved, and --resume crashed again."""
    servers = [Hostile("polite_ascii", hostile_tls).start(), Hostile("polite", hostile_tls).start(),
               Hostile("polite", hostile_tls).start()]
    try:
        home = tmp_path / "home"
        emails = ["facturación@hostile.example", "facturación@hostile.example.org", "ventas@hostile.example"]
        secrets = _workspace_with(home, servers, trust, emails=emails)
        done = run_cli("audit", "--send-test", "--json", "--no-progress", "--deadline", "10", home=home,
                       secrets=secrets, env=trust, timeout=40)
        seen = servers[1].smtp.seen
    finally:
        for server in servers:
            server.stop()
    assert not done.timed_out and done.returncode == 1, done.stderr
    results = {r["email"]: r for r in json.loads(done.stdout)["results"]}
    refused = results["facturación@hostile.example"]
    assert refused["status"] == "sender_rejected" and "SMTPUTF8" in refused["cause"], refused
    assert results["facturación@hostile.example.org"]["status"] == "ok"  # the server offers SMTPUTF8
    assert any(line.startswith("MAIL FROM:<facturación@hostile.example.org>") and line.endswith("SMTPUTF8")
               for line in seen), seen
    assert results["ventas@hostile.example"]["status"] == "ok"


def test_any_exception_in_one_check_is_that_accounts_result(workspace: Workspace, hostile_tls, trust, monkeypatch):
    server = Hostile("polite", hostile_tls).start()
    try:
        with Inventory.open(workspace) as inventory:
            inventory.upsert_company(Company("hostile", "Hostile"))
            for name in ("one", "two", "three"):
                inventory.upsert_account(build_account(
                    f"{name}@hostile.example", "hostile", provider_key="custom", auth="app-password",
                    smtp_host="127.0.0.1", smtp_port=server.smtp_port, security="none", imap_host="127.0.0.1",
                    imap_port=server.imap_port, imap_security="ssl"))
                secret_store(workspace).set(f"{name}@hostile.example", SecretKind.APP_PASSWORD, APP_PASSWORD)
        import mailkit.audit

        real = mailkit.audit.check_with

        async def broken_for_two(account, *args, **kwargs):
            if account.email.startswith("two@"):
                raise RuntimeError(f"a bug met while checking {account.email} with {COMPACT}")
            return await real(account, *args, **kwargs)

        monkeypatch.setattr(mailkit.audit, "check_with", broken_for_two)
        summary = asyncio.run(run_audit(workspace, options=AuditOptions(deadline=10)))
    finally:
        server.stop()
    statuses = {r.email: r for r in summary.results}
    assert summary.state == "finished" and len(statuses) == 3
    two = statuses["two@hostile.example"]
    assert two.status is Status.UNKNOWN and two.step == "check"
    assert "RuntimeError" in two.diagnosis.raw and COMPACT not in two.diagnosis.raw
    assert {statuses[e].status for e in ("one@hostile.example", "three@hostile.example")} == {Status.OK}


def test_cancelling_an_audit_still_raises_cancelled(workspace: Workspace, hostile_tls, trust):
    """Isolation catches exceptions, not cancellation: a cancelled run ends cancelled, marked interrupted."""
    server = Hostile("silence", hostile_tls).start()
    try:
        with Inventory.open(workspace) as inventory:
            inventory.upsert_company(Company("hostile", "Hostile"))
            inventory.upsert_account(build_account(
                "quiet@hostile.example", "hostile", provider_key="custom", auth="app-password",
                smtp_host="127.0.0.1", smtp_port=server.smtp_port, security="none"))
        secret_store(workspace).set("quiet@hostile.example", SecretKind.APP_PASSWORD, APP_PASSWORD)

        async def scenario() -> None:
            task = asyncio.create_task(run_audit(workspace, options=AuditOptions(deadline=30)))
            await asyncio.sleep(0.5)
            task.cancel()
            await task

        started = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            asyncio.run(scenario())
        assert time.monotonic() - started < 3
    finally:
        server.stop()
    with sqlite3.connect(workspace.db_path) as conn:
        assert conn.execute("SELECT state FROM runs").fetchone()[0] == "interrupted"
