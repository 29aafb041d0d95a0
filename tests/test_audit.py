"""Bulk audit against the sandbox: statuses per account, retries, deadlines, bounded concurrency,
results streamed to SQLite, stop / cancel / SIGKILL then resume without redoing finished accounts."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

import mailkit.audit as audit_module
from mailkit import assets
from mailkit.audit import Audit, AuditOptions, Selection, audit, retry_delay, select_accounts
from mailkit.audit_store import AuditStore, ResultBatch, ResultRow
from mailkit.checks.results import CheckResult
from mailkit.diagnose import diagnosis_for
from mailkit.errors import NotFoundError, UsageError
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.scopes import MAIL_SCOPE
from mailkit.oauth.store import GrantStore, TokenBundle, save_bundle
from mailkit.sandbox.runner import SandboxThread
from mailkit.secrets import redaction
from mailkit.secrets.backends import MemoryKeyring
from mailkit.secrets.redaction import redact, remember_login
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.status import Status
from mailkit.tabular.accounts import import_accounts
from mailkit.workspace import Workspace
from tests.bulk_fleet import app_password, bulk_workspace, running_bulk_sandbox
from tests.cli_helpers import run_mailkit
from tests.sandbox_fixtures import EXPECTED_SEND, EXPECTED_SIGN_IN

REPO = Path(__file__).resolve().parent.parent
SANDBOX_ACCOUNTS = tomllib.loads(assets.read_text(assets.SANDBOX_ACCOUNTS))["account"]
REVOKED_APP_PASSWORD = "yhnu jmik olpq azws"  # faktury@: the one it had before its password changed
FAST = {"retry_delay": 0.05, "later_delay": 0.1}



# --- helpers -----------------------------------------------------------------------------------
def consent(sandbox: SandboxThread, workspace: Workspace, email: str, *, stale: bool = False) -> TokenBundle:
    """What `mailkit oauth login` leaves behind, made directly in the sandbox's grant registry."""
    client_id = sandbox.sandbox.client_id
    code = sandbox.grants.issue_code(email, client_id, (MAIL_SCOPE,), "http://localhost/")
    grant = sandbox.grants.redeem_code(code, client_id, "http://localhost/", "")
    access = sandbox.grants.issue_access_token(grant)
    expiry = datetime.now(UTC) + (timedelta(hours=-1) if stale else timedelta(hours=1))
    bundle = TokenBundle(grant.refresh_token, access.token, expiry, client_id, (MAIL_SCOPE,), email)
    save_bundle(workspace, email, bundle)
    with Inventory.open(workspace) as inventory:
        GrantStore(inventory).save_consent(email, client_fingerprint="sandbox", authorized_email=email,
                                           scopes=[MAIL_SCOPE], access_expires_at=expiry)
    return bundle


def mixed_workspace(sandbox: SandboxThread, workspace: Workspace) -> list[str]:
    """The sample inventory imported, every secret stored as the accounts file says; the secrets used."""
    with Inventory.open(workspace) as inventory:
        report = import_accounts(inventory, assets.asset_path(assets.SAMPLE_INVENTORY), detect_timeout=0.5)
        assert not report.rejected
        auth = {a.email: a.auth for a in inventory.accounts()}
    store, used = secret_store(workspace), []
    for entry in SANDBOX_ACCOUNTS:
        email = entry["email"]
        if auth.get(email) == "app_password":  # faktury@ keeps the one revoked when its password changed
            secret = (entry.get("app_passwords") or [REVOKED_APP_PASSWORD])[0]
            if email.startswith("faktury@"):
                secret = REVOKED_APP_PASSWORD
            store.set(email, SecretKind.APP_PASSWORD, secret)
            used += [secret, secret.replace(" ", "")]
        elif auth.get(email) == "password":
            store.set(email, SecretKind.PASSWORD, entry["password"])
            used.append(entry["password"])
    for email, stale in (("facturacion@ferreteria-delnorte.example", False), ("citas.tallerruiz@gmail.com", True),
                         ("avisos.tallerruiz@gmail.com", False)):
        bundle = consent(sandbox, workspace, email, stale=stale)
        used += [bundle.refresh_token, bundle.access_token]
    sandbox.grants.revoke_account("avisos.tallerruiz@gmail.com")  # the user removed access
    return used


BULK = 24


@pytest.fixture(scope="module")
def bulk_sandbox(tmp_path_factory: pytest.TempPathFactory):
    yield from running_bulk_sandbox(tmp_path_factory.mktemp("bulk"), BULK)


@pytest.fixture
def bulk(bulk_sandbox: SandboxThread, workspace: Workspace, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MAILKIT_SANDBOX", str(bulk_sandbox.info_path))
    bulk_sandbox.reset()
    bulk_workspace(workspace, BULK)
    yield bulk_sandbox
    bulk_sandbox.reset()


def db(workspace: Workspace) -> sqlite3.Connection:
    conn = sqlite3.connect(workspace.db_path)
    conn.row_factory = sqlite3.Row
    return conn


# --- the mixed inventory against the sandbox ------------------------------------------------
def test_mixed_inventory_sign_in_and_test_send(sandbox_env, workspace):
    secrets = mixed_workspace(sandbox_env, workspace)
    seen = []
    summary = audit(workspace, Selection(), AuditOptions(send_test=True, attachments=True, **FAST),
                    on_result=seen.append)
    got = {r.email: r.status.value for r in summary.results}
    assert got == EXPECTED_SEND
    assert summary.state == "finished" and not summary.ok and summary.total == len(EXPECTED_SEND)
    assert sorted(r.email for r in seen) == sorted(EXPECTED_SEND)
    by_email = {r.email: r for r in summary.results}
    assert by_email["kontakt.nowak@gmail.com"].attempts == 2  # 421 once, then the retry went through
    assert by_email["sklep.nowak@gmail.com"].attempts == 2  # 454 twice: retried once, then reported
    assert "try again later" in by_email["sklep.nowak@gmail.com"].diagnosis.raw.lower()
    assert by_email["facturas.lupita@gmail.com"].attempts == 1
    sent = {str(m.message["Message-ID"]).strip() for m in sandbox_env.messages}
    with db(workspace) as conn:
        rows = {r["email"]: r for r in conn.execute(
            "SELECT a.email, x.* FROM results x JOIN accounts a ON a.id = x.account_id")}
        assert {e: r["status"] for e, r in rows.items()} == EXPECTED_SEND
        assert rows["kontakt.nowak@gmail.com"]["attempts"] == 2
        assert rows["zamowienia.nowak@gmail.com"]["reply_code"] == 553
        assert rows["zamowienia.nowak@gmail.com"]["step"] == "send"
        assert rows["facturas.lupita@gmail.com"]["sent_message_id"] in sent
        assert rows["ventas@ferreteria-delnorte.example"]["sent_message_id"] is None
        assert conn.execute("SELECT state FROM runs").fetchone()[0] == "finished"
        dump = "\n".join(conn.iterdump())
    for secret in secrets:
        assert secret not in dump


def test_mixed_inventory_sign_in_only(sandbox_env, workspace):
    mixed_workspace(sandbox_env, workspace)
    summary = audit(workspace, options=AuditOptions(**FAST))
    assert {r.email: r.status.value for r in summary.results} == EXPECTED_SIGN_IN
    assert not sandbox_env.messages  # nothing is sent without --send-test
    again = audit(workspace, Selection(broken=True), AuditOptions(**FAST))
    assert sorted(r.email for r in again.results) == sorted(e for e, s in EXPECTED_SIGN_IN.items() if s != "ok")


def test_company_and_email_selection(sandbox_env, workspace):
    mixed_workspace(sandbox_env, workspace)
    summary = audit(workspace, Selection(company="abarrotes-lupita"), AuditOptions(**FAST))
    assert sorted(r.email for r in summary.results) == ["facturas.lupita@gmail.com", "recuperacion.lupita@gmail.com"]
    one = audit(workspace, Selection(emails=["Facturas.Lupita@gmail.com"]), AuditOptions(**FAST))
    assert [r.email for r in one.results] == ["facturas.lupita@gmail.com"] and one.ok
    with pytest.raises(NotFoundError, match="nobody@gmail.com"):
        audit(workspace, Selection(emails=["nobody@gmail.com"]))


# --- retries, deadlines, concurrency ----------------------------------------------------------
def test_busy_421_retried_once_then_reported(bulk, workspace):
    summary = audit(workspace, Selection(emails=["busy@gmail.com"]), AuditOptions(send_test=True, **FAST))
    (result,) = summary.results
    assert result.status is Status.RATE_LIMITED and result.attempts == 2
    assert result.diagnosis.code == 421 and "try again later" in result.diagnosis.raw.lower()
    assert result.step == "send"


def test_on_retry_hears_each_scheduled_retry_once(sandbox_env, workspace):
    """kontakt.nowak@ is busy once (421 at MAIL); sklep.nowak@ is throttled at sign-in (454): each is
    retried once and heard once; the eleven others, right or wrong at the first attempt, are not."""
    mixed_workspace(sandbox_env, workspace)
    heard = []
    summary = audit(workspace, Selection(), AuditOptions(send_test=True, **FAST), on_retry=heard.append)
    by_email = {n.email: n for n in heard}
    assert len(heard) == 2 and set(by_email) == {"kontakt.nowak@gmail.com", "sklep.nowak@gmail.com"}
    busy = by_email["kontakt.nowak@gmail.com"]
    assert (busy.status, busy.attempt, busy.company) == (Status.RATE_LIMITED, 1, "sklep-nowak")
    assert FAST["later_delay"] <= busy.delay <= FAST["later_delay"] * 1.25  # "try again later", with jitter
    assert {r.email for r in summary.results if r.attempts > 1} == set(by_email)
    assert {r.email: r.status.value for r in summary.results}["kontakt.nowak@gmail.com"] == "ok"


def _result(status: Status, raw: str) -> CheckResult:
    return CheckResult("x@gmail.com", "smtp", diagnosis_for(status, raw=raw))


def test_retry_delay_follows_the_server_words():
    options = AuditOptions(retry_delay=1.0, later_delay=20.0)
    later = _result(Status.RATE_LIMITED, "421 4.7.0 Try again later, closing connection. (MAIL)")
    assert 20.0 <= retry_delay(later, 1, options) <= 25.0
    assert retry_delay(_result(Status.RATE_LIMITED, "450 4.2.1 try again in 2 minutes"), 1, options) == 120.0
    assert retry_delay(_result(Status.RATE_LIMITED, "retry in 7 seconds"), 1, options) == 7.0
    assert 1.0 <= retry_delay(_result(Status.CONNECTION_LOST, "EOF"), 1, options) <= 1.25
    assert retry_delay(later, 2, options) is None  # one retry only
    assert retry_delay(_result(Status.BAD_CREDENTIALS, "535 5.7.8"), 1, options) is None
    assert retry_delay(later, 1, AuditOptions(retries=0)) is None


def test_per_account_deadline(bulk, workspace):
    bulk.faults.stall("auth", 5)
    started = time.monotonic()
    summary = audit(workspace, Selection(emails=["user000@gmail.com", "user001@gmail.com"]),
                    AuditOptions(deadline=0.6, **FAST))
    assert time.monotonic() - started < 3
    assert {r.status for r in summary.results} == {Status.TIMEOUT}
    assert all(r.duration_ms < 2000 for r in summary.results)


def test_concurrency_is_bounded(bulk, workspace, monkeypatch):
    bulk.faults.latency_ms = 20
    real, live, peak = audit_module.check_with, [0], [0]

    async def counting(*args, **kwargs):
        live[0] += 1
        peak[0] = max(peak[0], live[0])
        try:
            return await real(*args, **kwargs)
        finally:
            live[0] -= 1

    monkeypatch.setattr(audit_module, "check_with", counting)
    summary = audit(workspace, Selection(company="bulk"), AuditOptions(concurrency=4, **FAST))
    assert summary.checked == BULK + 1 and peak[0] == 4


class SlowKeyring(MemoryKeyring):
    """A keyring whose reads take a while, as an encrypted file keyring's key derivation does."""

    def get_password(self, service: str, username: str) -> str | None:
        time.sleep(0.25)
        return super().get_password(service, username)


def test_slow_keyring_reads_do_not_serialize_the_audit(bulk, workspace):
    slow = SlowKeyring()
    slow.store = dict(keyring.get_keyring().store)
    keyring.set_keyring(slow)
    started = time.monotonic()
    summary = audit(workspace, Selection(emails=[f"user{i:03d}@gmail.com" for i in range(6)]),
                    AuditOptions(concurrency=6))
    assert summary.counts == {"ok": 6}
    assert time.monotonic() - started < 1.2  # 6 reads of 0.25 s one after the other would take 1.5 s


class CountingKeyring(MemoryKeyring):
    """A keyring that counts its reads."""

    reads = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.reads += 1
        return super().get_password(service, username)


def test_an_account_with_nothing_stored_is_looked_up_once(bulk, workspace):
    """not_configured comes from the one lookup in a worker thread, not a second read on the event loop."""
    counting = CountingKeyring()
    counting.store = dict(keyring.get_keyring().store)
    keyring.set_keyring(counting)
    secret_store(workspace).delete("user000@gmail.com", SecretKind.APP_PASSWORD)
    counting.reads = 0
    summary = audit(workspace, Selection(emails=["user000@gmail.com"]), AuditOptions(**FAST))
    assert summary.counts == {"not_configured": 1}
    assert counting.reads == 1


def test_the_secret_store_is_built_once_per_run_and_memory_reads_stay_on_the_loop(bulk, workspace, monkeypatch):
    """One store for the whole run (not one per account), and an in-memory keyring read where the loop runs:
    a thread hop per account costs more than the read."""
    import threading

    import mailkit.secrets.store as store_module

    built, readers = [], []
    real_store, real_get = store_module.secret_store, MemoryKeyring.get_password

    def counting_store(*args, **kwargs):
        built.append(1)
        return real_store(*args, **kwargs)

    def recording_get(self, service, username):
        readers.append(threading.current_thread() is threading.main_thread())
        return real_get(self, service, username)

    monkeypatch.setattr(audit_module, "secret_store", counting_store)
    monkeypatch.setattr("mailkit.checks.account.secret_store", counting_store)
    monkeypatch.setattr(MemoryKeyring, "get_password", recording_get)
    summary = audit(workspace, Selection(emails=[f"user{i:03d}@gmail.com" for i in range(5)]), AuditOptions(**FAST))
    assert summary.counts == {"ok": 5}
    assert built == [1] and readers == [True] * 5


def test_without_a_usable_keyring_every_account_says_so(bulk, workspace, monkeypatch):
    """No store for the run: each account looks it up itself and reports the keyring's failure."""
    monkeypatch.delenv("MAILKIT_SANDBOX")  # outside sandbox mode there is no file of fake secrets to fall back on
    keyring.set_keyring(fail.Keyring())
    summary = audit(workspace, Selection(emails=["user000@gmail.com", "user001@gmail.com"]), AuditOptions(**FAST))
    assert summary.counts == {"keyring_error": 2}
    assert all("no usable keyring backend" in r.diagnosis.raw for r in summary.results)


def test_redaction_stays_fast_with_thousands_of_known_secrets(monkeypatch):
    monkeypatch.setattr(redaction, "_known", set())  # a registry of its own, put back afterwards
    monkeypatch.setattr(redaction, "_exact_by_prefix", {})
    monkeypatch.setattr(redaction, "_compact_by_prefix", {})
    monkeypatch.setattr(redaction, "_weak", set())
    for i in range(3000):
        remember_login(f"user{i}@gmail.com", app_password(i) + f"{i:04d}")
    line = "S: 250-smtp.gmail.com at your service, [127.0.0.1] " * 3 + app_password(7) + "0007"
    started = time.perf_counter()
    for _ in range(200):
        cleaned = redact(line)
    assert (time.perf_counter() - started) / 200 < 0.002
    assert app_password(7) not in cleaned and cleaned.endswith("[redacted]")


def test_options_are_validated():
    for bad in ({"concurrency": 0}, {"concurrency": 10_000}, {"deadline": 0}, {"send_to": "nobody"}):
        with pytest.raises(UsageError):
            AuditOptions(**bad)


def test_sync_wrapper_refuses_inside_a_running_loop(workspace):
    async def inside() -> None:
        audit(workspace)

    with pytest.raises(UsageError, match="await"):
        asyncio.run(inside())


# --- stop, cancel, resume -------------------------------------------------------------------
def test_stop_then_resume_finishes_without_redoing(bulk, workspace):
    seen: list = []

    def stop_after_five(result) -> None:  # what a notebook's Stop button does
        seen.append(result)
        if len(seen) == 5:
            runner.stop()

    runner = Audit(workspace, Selection(company="bulk"), AuditOptions(concurrency=2, **FAST),
                   on_result=stop_after_five)
    first = asyncio.run(runner.run())
    assert first.state == "interrupted" and 5 <= first.checked < BULK + 1
    with db(workspace) as conn:
        before = {r["account_id"]: r["checked_at"] for r in conn.execute("SELECT * FROM results")}
        assert conn.execute("SELECT state FROM runs").fetchone()[0] == "interrupted"
    second = audit(workspace, resume="last", options=AuditOptions(concurrency=8))
    assert second.run_id == first.run_id and second.state == "finished"
    assert second.skipped == len(before) and len(second.results) == BULK + 1 - len(before)
    with db(workspace) as conn:
        after = {r["account_id"]: r["checked_at"] for r in conn.execute("SELECT * FROM results")}
        assert len(after) == BULK + 1
        assert all(after[i] == at for i, at in before.items())  # finished accounts were not checked again
    with pytest.raises(NotFoundError):
        audit(workspace, resume="last")
    with pytest.raises(UsageError, match="already finished"):
        audit(workspace, resume=first.run_id)


def test_cancel_marks_the_run_interrupted(bulk, workspace):
    bulk.faults.latency_ms = 30

    async def scenario() -> int:
        runner = Audit(workspace, Selection(company="bulk"), AuditOptions(concurrency=2, **FAST))
        task = asyncio.create_task(runner.run())
        while runner.run_id is None or not AuditStore.open(workspace).finished_ids(runner.run_id):
            await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return runner.run_id

    run_id = asyncio.run(scenario())
    with db(workspace) as conn:
        assert conn.execute("SELECT state FROM runs WHERE id = ?", (run_id,)).fetchone()[0] == "interrupted"


def test_resume_refuses_a_run_whose_process_is_alive(workspace):
    with Inventory.open(workspace) as inventory:
        store = AuditStore(inventory.conn)
        run = store.start_run({}, {}, [])
        options = {**run.options, "pid": os.getppid()}
        inventory.conn.execute("UPDATE runs SET options = ? WHERE id = ?", (json.dumps(options), run.id))
        with pytest.raises(UsageError, match="still running"):
            store.resolve("last")
        with pytest.raises(UsageError, match="run number"):
            store.resolve("yesterday")


def test_broken_selection_uses_the_latest_status(workspace):
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("c", "C"))
        for name in ("a", "b", "c", "d"):
            inventory.upsert_account(build_account(f"{name}@gmail.com", "c", provider_key="gmail",
                                                   auth="app-password"))
        store = AuditStore(inventory.conn)
        ids = store.account_ids()
        old, new = store.start_run({}, {}, []), store.start_run({}, {}, [])
        store.record(old.id, ResultRow(ids["a@gmail.com"], "bad_credentials", checked_at="2024-01-01T00:00:00Z"))
        store.record(new.id, ResultRow(ids["a@gmail.com"], "ok", checked_at="2024-02-01T00:00:00Z"))
        store.record(old.id, ResultRow(ids["b@gmail.com"], "ok", checked_at="2024-01-01T00:00:00Z"))
        store.record(new.id, ResultRow(ids["b@gmail.com"], "timeout", checked_at="2024-02-01T00:00:00Z"))
        store.record(new.id, ResultRow(ids["c@gmail.com"], "ok", checked_at="2024-02-01T00:00:00Z"))
        chosen = select_accounts(inventory, store, Selection(broken=True))
    assert [a.email for _, a in chosen] == ["b@gmail.com"]  # d was never checked: not known broken


def _batch_store(workspace: Workspace, count: int) -> tuple[Inventory, AuditStore, int, list[int]]:
    inventory = Inventory.open(workspace)
    inventory.upsert_company(Company("c", "C"))
    for i in range(count):
        inventory.upsert_account(build_account(f"b{i}@gmail.com", "c", provider_key="gmail", auth="app-password"))
    store = AuditStore(inventory.conn)
    ids = sorted(store.account_ids().values())
    return inventory, store, store.start_run({}, {}, ids).id, ids


def _stored(workspace: Workspace, run_id: int) -> int:
    """Results of a run as another process sees them (its own connection)."""
    with db(workspace) as conn:
        return conn.execute("SELECT COUNT(*) FROM results WHERE run_id = ?", (run_id,)).fetchone()[0]


def test_results_are_written_in_batches_of_a_few_rows_or_a_fraction_of_a_second(workspace):
    inventory, store, run_id, ids = _batch_store(workspace, 7)
    with inventory:
        batch = ResultBatch(store, rows=3, seconds=0.2)
        for account_id in ids[:2]:
            batch.add(run_id, ResultRow(account_id, "ok"))
        assert _stored(workspace, run_id) == 0  # no loop, no timer: they wait for the third
        batch.add(run_id, ResultRow(ids[2], "ok"))
        assert _stored(workspace, run_id) == 3

        async def on_a_loop() -> list[int]:
            batch.add(run_id, ResultRow(ids[3], "bad_credentials", reply="535 no"))
            seen = [_stored(workspace, run_id)]
            await asyncio.sleep(0.35)  # the timer writes it without a third result
            return [*seen, _stored(workspace, run_id)]

        assert asyncio.run(on_a_loop()) == [3, 4]
        batch.add(run_id, ResultRow(ids[4], "ok"))
        batch.flush()
        assert _stored(workspace, run_id) == 5 and store.finished_ids(run_id) == set(ids[:5])


def test_a_batch_that_cannot_be_written_is_kept_whole_for_the_next_attempt(workspace):
    inventory, store, run_id, ids = _batch_store(workspace, 2)
    with inventory:
        batch = ResultBatch(store, rows=10)
        batch.add(run_id, ResultRow(ids[0], "ok"))
        batch.add(run_id, ResultRow(ids[1] + 1, "ok"))  # no such account (yet): the second insert fails
        with pytest.raises(sqlite3.IntegrityError):
            batch.flush()
        assert _stored(workspace, run_id) == 0  # all or nothing
        inventory.upsert_account(build_account("late@gmail.com", "c", provider_key="gmail", auth="app-password"))
        batch.flush()
        assert store.finished_ids(run_id) == {ids[0], ids[1] + 1}


def _wait_for_results(workspace: Workspace, child: subprocess.Popen, count: int) -> None:
    deadline = time.monotonic() + 20
    done = 0
    while done < count and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
        if workspace.db_path.exists():
            with db(workspace) as conn:
                try:
                    done = conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]
                except sqlite3.OperationalError:
                    done = 0
    assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""


def test_sigterm_stops_the_cli_audit_cleanly(bulk, workspace):
    keyring.set_keyring(fail.Keyring())
    bulk_workspace(workspace, BULK)
    bulk.faults.latency_ms = 25
    env = {**os.environ, "MAILKIT_SANDBOX": str(bulk.info_path),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    child = subprocess.Popen([sys.executable, "-m", "mailkit", "--home", str(workspace.home), "audit",
                              "--no-progress", "--concurrency", "2"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_results(workspace, child, 2)
        child.send_signal(signal.SIGTERM)
        out, _ = child.communicate(timeout=15)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 1 and "--resume 1" in out
    with db(workspace) as conn:
        assert conn.execute("SELECT state FROM runs").fetchone()[0] == "interrupted"


def test_sigkill_mid_run_then_resume_last_from_the_cli(bulk, workspace, tmp_path, monkeypatch):
    keyring.set_keyring(fail.Keyring())  # as in the subprocess: secrets go to the sandbox's file store
    bulk_workspace(workspace, BULK)
    bulk.faults.latency_ms = 25
    env = {"MAILKIT_SANDBOX": str(bulk.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    command = [sys.executable, "-m", "mailkit", "--home", str(workspace.home), "audit", "--no-progress",
               "--concurrency", "2"]
    child = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    try:
        _wait_for_results(workspace, child, 4)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(10)
    with db(workspace) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT state FROM runs").fetchone()[0] == "running"
        before = {r["account_id"]: r["checked_at"] for r in conn.execute("SELECT * FROM results")}
    assert 4 <= len(before) < BULK + 1
    resumed = run_mailkit("audit", "--resume", "last", "--json", "--no-progress", "--concurrency", "8",
                          home=workspace.home, env=env)
    assert resumed.returncode == 0, resumed.stderr
    data = json.loads(resumed.stdout)
    assert data["state"] == "finished" and data["skipped"] == len(before)
    assert len(data["results"]) == BULK + 1 - len(before) and data["checked"] == BULK + 1
    with db(workspace) as conn:
        after = {r["account_id"]: r["checked_at"] for r in conn.execute("SELECT * FROM results")}
        assert conn.execute("SELECT state FROM runs").fetchone()[0] == "finished"
    assert len(after) == BULK + 1 and all(after[i] == at for i, at in before.items())


# --- the command line -------------------------------------------------------------------------
def test_cli_usage_errors(workspace):
    both = run_mailkit("audit", "--resume", "last", "--company", "x", home=workspace.home)
    assert both.returncode == 2 and "--resume" in both.stderr
    zero = run_mailkit("audit", "--concurrency", "0", home=workspace.home)
    assert zero.returncode == 2 and "concurrency" in zero.stderr
    nothing = run_mailkit("audit", "--resume", "last", home=workspace.home)
    assert nothing.returncode == 2 and "no interrupted audit run" in nothing.stderr


def test_cli_audit_reports_broken_accounts(bulk, workspace, tmp_path):
    keyring.set_keyring(fail.Keyring())
    bulk_workspace(workspace, 2)
    env = {"MAILKIT_SANDBOX": str(bulk.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    with Inventory.open(workspace) as inventory:
        inventory.upsert_account(build_account("stranger@gmail.com", "bulk", provider_key="gmail",
                                               auth="app-password"))
    out = run_mailkit("audit", "--no-progress", "--company", "bulk", "--email", "user000@gmail.com",
                      "--email", "stranger@gmail.com", home=workspace.home, env=env)
    assert out.returncode == 1, out.stderr
    assert "stranger@gmail.com" in out.stdout and "not_configured" in out.stdout
    assert "1 ok, 1 not ok" in out.stdout
    fine = run_mailkit("audit", "--no-progress", "--email", "user001@gmail.com", "--json", home=workspace.home,
                       env=env)
    assert fine.returncode == 0 and json.loads(fine.stdout)["ok"] == 1


class BrokenKeyring(MemoryKeyring):
    """A keyring whose reads fail, as a locked or crashed desktop keyring does."""

    def get_password(self, service: str, username: str) -> str | None:
        from keyring.errors import KeyringError

        raise KeyringError("the collection is locked")


def test_a_failing_keyring_is_a_failed_check_never_not_configured(bulk, workspace):
    keyring.set_keyring(BrokenKeyring())
    summary = audit(workspace, Selection(emails=["user000@gmail.com", "user001@gmail.com"]), AuditOptions(**FAST))
    assert summary.counts == {"keyring_error": 2}
    for result in summary.results:
        assert result.step == "keyring"
        assert "cannot read from the keyring: KeyringError: the collection is locked" in result.diagnosis.raw


def test_encrypted_keyring_is_unlocked_once_and_each_entry_decrypted_once(bulk, workspace, monkeypatch):
    """An encrypted file keyring derives a key per entry read: an audit pays that once per account, and
    a write by another process (another CryptFileKeyring on the same file) is seen at the next read."""
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    emails = [f"user{i:03d}@gmail.com" for i in range(4)]
    secrets = {e: keyring.get_keyring().get_password("mailkit", f"{e}/app_password") for e in emails}
    monkeypatch.setenv("MAILKIT_KEYRING_PASSPHRASE", "correct horse battery")
    workspace.set_setting("keyring.backend", "cryptfile")
    store = secret_store(workspace)
    for email, secret in secrets.items():
        store.set(email, SecretKind.APP_PASSWORD, secret)
    decrypted = []
    original = CryptFileKeyring.decrypt
    monkeypatch.setattr(CryptFileKeyring, "decrypt",
                        lambda self, *a, **k: decrypted.append(1) or original(self, *a, **k))
    for _ in range(3):
        assert audit(workspace, Selection(emails=emails), AuditOptions(**FAST)).counts == {"ok": 4}
    assert 1 <= len(decrypted) <= len(emails)  # 12 reads; the last one written was never decrypted at all

    other = CryptFileKeyring()  # another process writing to the same file
    other.file_path = str(workspace.home / "secrets.cfg")
    other.keyring_key = "correct horse battery"
    other.set_password("mailkit", "user000@gmail.com/app_password", "wrongwrongwrongw")
    decrypted.clear()
    summary = audit(workspace, Selection(emails=emails[:1]), AuditOptions(**FAST))
    assert summary.counts == {"bad_credentials": 1}
    assert len(decrypted) == 1
