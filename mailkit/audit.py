"""Bulk audit: sign in as (and optionally send a test from) many accounts at once.

Each account gets its own connection through the one-account core (`mailkit.checks.account`), at most
`concurrency` at a time, within a per-account deadline, with one retry after a temporary reply
(421/454, a dropped connection) that waits as long as the server asked. Results go to SQLite the
moment they are known (`mailkit.audit_store`, in batches of a fraction of a second), so an interrupted
run loses nothing (a killed one at most that batch) and `resume="last"` finishes it without checking the
finished accounts again. An `on_retry` callback hears of each retry as it is scheduled, so a view can say
why an account is quiet meanwhile.

    summary = await run_audit(workspace, Selection(company="sklep-nowak"), AuditOptions(send_test=True))
    summary = audit(...)                        # the same from plain (non-async) code
"""

from __future__ import annotations

import asyncio
import inspect
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from mailkit.audit_lock import holds_audit_lock
from mailkit.audit_store import FINISHED, INTERRUPTED, AuditStore, ResultBatch, ResultRow, RunInfo, now_ms
from mailkit.checks.account import SendOptions, check_with, credentials_or_result
from mailkit.checks.results import CheckResult, Diagnosed, Step, Timeouts
from mailkit.diagnose import Diagnosis, classify_exception, diagnosis_for
from mailkit.errors import NetworkError, NotFoundError, UsageError
from mailkit.inventory import Inventory
from mailkit.models import Account
from mailkit.observations import twostep_on_observed
from mailkit.secrets.redaction import redact
from mailkit.secrets.store import SecretStore, in_keyring_thread, secret_store
from mailkit.status import TEMPORARY, Status
from mailkit.syncio import run_sync
from mailkit.workspace import Workspace

DEFAULT_CONCURRENCY = 32  # connections to smtp.gmail.com at once from one machine, one per account
MAX_CONCURRENCY = 500
DEFAULT_DEADLINE = 90.0

_LATER = re.compile(r"try again later|please try again|retry later", re.I)
_WAIT_FOR = re.compile(r"(?:try again|retry)\s+in\s+(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?)\b", re.I)


@dataclass
class Selection:
    """Which accounts: all, one company, a list of emails, and/or only those whose latest status is not ok."""

    company: str | None = None
    emails: list[str] | None = None
    broken: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"company": self.company, "emails": self.emails, "broken": self.broken}


@dataclass
class AuditOptions:
    """How to check. Delays are seconds; `later_delay` is the wait after a "try again later" reply."""

    send_test: bool = False
    send_to: str | None = None
    attachments: bool = False
    concurrency: int = DEFAULT_CONCURRENCY
    deadline: float = DEFAULT_DEADLINE
    retries: int = 1
    retry_delay: float = 2.0
    later_delay: float = 20.0
    lang: str = "en"

    def __post_init__(self) -> None:
        if not 1 <= int(self.concurrency) <= MAX_CONCURRENCY:
            raise UsageError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}, not {self.concurrency}")
        if not 0 < self.deadline < float("inf"):  # also false for nan; inf would be stored as non-JSON Infinity
            raise UsageError(f"--deadline must be a positive, finite number of seconds, not {self.deadline}")
        if not all(0 <= value < float("inf") for value in (self.retries, self.retry_delay, self.later_delay)):
            raise UsageError("retries and retry delays must be finite and cannot be negative")
        if self.send_to is not None and "@" not in self.send_to:
            raise UsageError(f"--send-to {self.send_to!r} is not an email address")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditOptions:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class AuditResult(Diagnosed):
    """One account's outcome in a run, as stored and as `on_result` callbacks receive it."""

    run_id: int
    account_id: int
    email: str
    company: str
    diagnosis: Diagnosis = field(repr=False)
    step: str = ""
    attempts: int = 1
    duration_ms: int = 0
    checked_at: str = field(default_factory=now_ms)
    message_id: str | None = None
    provider: str = ""  # the account's: causes and remedies in its provider's wording
    token_source: str = ""  # where an OAuth access token came from: consent, delegation, microsoft

    def row(self) -> ResultRow:
        return ResultRow(self.account_id, self.status.value, self.step, self.diagnosis.code, self.diagnosis.raw,
                         self.attempts, self.duration_ms, self.checked_at, self.message_id, self.tls_kind,
                         self.token_source)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "run_id": self.run_id, "email": self.email, "company": self.company, "status": self.status.value,
            "step": self.step, "reply_code": self.diagnosis.code, "reply": self.diagnosis.raw,
            "cause": self.diagnosis.cause(lang, provider=self.provider),
            "remedy": self.diagnosis.remedy(lang, email=self.email, provider=self.provider),
            "attempts": self.attempts, "duration_ms": self.duration_ms, "checked_at": self.checked_at,
            "message_id": self.message_id, "tls_kind": self.tls_kind, "token_source": self.token_source,
        }


@dataclass
class AuditSummary:
    """What a run did. `counts` covers the whole run, including results from before a resume."""

    run_id: int | None
    state: str
    total: int
    skipped: int = 0
    results: list[AuditResult] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def checked(self) -> int:
        return sum(self.counts.values())

    @property
    def broken(self) -> int:
        return self.checked - self.counts.get(Status.OK.value, 0)

    @property
    def ok(self) -> bool:
        """True when the run finished and every account in it is ok."""
        return self.state == FINISHED and self.broken == 0

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"run_id": self.run_id, "state": self.state, "total": self.total, "checked": self.checked,
                "skipped": self.skipped, "ok": self.counts.get(Status.OK.value, 0), "broken": self.broken,
                "counts": self.counts, "results": [r.to_dict(lang) for r in self.results]}


def retry_delay(result: CheckResult, attempt: int, options: AuditOptions) -> float | None:
    """Seconds to wait before retrying, or None when the result is not worth a retry.

    Only temporary statuses are retried. A reply that names a wait ("try again in 30 seconds") gets
    that wait; "try again later" gets `later_delay`; a dropped connection gets a short backoff.
    """
    if result.status not in TEMPORARY or attempt > options.retries:
        return None
    raw = result.diagnosis.raw
    if found := _WAIT_FOR.search(raw):
        return float(found.group(1)) * (60 if found.group(2).lower().startswith("m") else 1)
    base = options.later_delay if _LATER.search(raw) else options.retry_delay * 2 ** (attempt - 1)
    return base * random.uniform(1.0, 1.25)  # jitter: retries of many accounts do not arrive together


@dataclass(frozen=True)
class RetryNotice:
    """A retry just scheduled (what `on_retry` callbacks receive): the account waits `delay` seconds
    after attempt number `attempt` ended with the temporary `status`."""

    email: str
    company: str
    status: Status
    delay: float
    attempt: int


ResultCallback = Callable[[AuditResult], Any]
RetryCallback = Callable[[RetryNotice], Any]


class Audit:
    """One audit run; `await audit.run()`. `stop()` (from a button, another thread, a signal) ends it
    cleanly: no new account starts, those in flight are abandoned, the run is marked interrupted."""

    def __init__(self, workspace: Workspace | None = None, selection: Selection | None = None,
                 options: AuditOptions | None = None, *, resume: str | int | None = None,
                 on_result: ResultCallback | None = None, progress: bool = False,
                 on_retry: RetryCallback | None = None):
        self.workspace = workspace or Workspace()
        self.selection = selection or Selection()
        self.options = options
        self.resume = resume
        self.on_result = on_result
        self.on_retry = on_retry
        self.progress = progress
        self.run_id: int | None = None
        self._stopping = False
        self._interrupted = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._thread = threading.get_ident()
        self._tally: Counter[str] = Counter()
        self._inventory: Inventory | None = None
        self._secrets: SecretStore | None = None  # built once per run; None: each account looks it up

    def stop(self) -> None:
        """Stop the run (safe from any thread; harmless when it is not running)."""
        self._stopping = True
        if self._loop is not None and threading.get_ident() != self._thread:
            self._loop.call_soon_threadsafe(self._cancel_workers)
        else:
            self._cancel_workers()

    def _cancel_workers(self) -> None:
        for task in self._workers:
            task.cancel()

    @holds_audit_lock  # one audit of a workspace at a time (AuditLocked names the one running)
    async def run(self) -> AuditSummary:
        """Check every selected account (or the rest of a resumed run) and return the summary."""
        self._loop, self._thread = asyncio.get_running_loop(), threading.get_ident()
        with Inventory.open(self.workspace) as inventory:
            self._inventory = inventory
            store = AuditStore(inventory.conn)
            run, accounts, done = self._plan(inventory, store)
            if run is None:
                return AuditSummary(None, FINISHED, 0)
            self.run_id = run.id
            companies = {c.slug: c.name for c in inventory.companies()}
            todo = [(i, a) for i, a in accounts if i not in done]
            self._tally.update(store.counts(run.id))
            summary = AuditSummary(run.id, INTERRUPTED, run.total, skipped=len(done))
            bar = self._progress_bar(run, len(done))
            state = INTERRUPTED
            batch = ResultBatch(store)
            try:
                self._secrets = await self._secret_store()
                if not self._stopping:
                    await self._drive(todo, companies, batch, summary, bar)
                state = INTERRUPTED if self._stopping else FINISHED
            finally:
                try:
                    batch.flush()  # when this fails the run stays `running`: its owner gone, it can resume
                    store.finish(run.id, state)
                finally:
                    if bar is not None:
                        bar.close()
            summary.state, summary.counts = state, store.counts(run.id)
        if self._interrupted:  # a KeyboardInterrupt that landed in a worker: the run is saved, now say so
            raise KeyboardInterrupt
        return summary

    async def _secret_store(self) -> SecretStore | None:
        """The workspace's secret store, once for the run. When it cannot be had, None: each account then
        looks it up itself and gets that failure as its own result, as a single check would."""
        try:
            return await in_keyring_thread(secret_store, self.workspace)
        except Exception:  # noqa: BLE001 - never the run's end: each account meets it again and records it
            return None

    # --- planning ------------------------------------------------------------------------
    def _plan(self, inventory: Inventory, store: AuditStore) -> tuple[RunInfo | None, list[tuple[int, Account]],
                                                                      set[int]]:
        ids = store.account_ids()
        if self.resume is not None:
            run = store.claim(store.resolve(self.resume))
            stored = AuditOptions.from_dict(run.options)
            if self.options is not None:  # a resume may change how fast, not what is checked
                stored.concurrency, stored.deadline = self.options.concurrency, self.options.deadline
            self.options = stored
            wanted = set(run.account_ids)
            accounts = [(ids[a.email.lower()], a) for a in inventory.accounts()
                        if ids.get(a.email.lower()) in wanted]
            return run, accounts, store.finished_ids(run.id)
        self.options = self.options or AuditOptions()
        accounts = select_accounts(inventory, store, self.selection, ids)
        if not accounts:
            return None, [], set()
        run = store.start_run(self.selection.to_dict(), self.options.to_dict(), [i for i, _ in accounts])
        return run, accounts, set()

    def _progress_bar(self, run: RunInfo, done: int) -> Any:
        if not self.progress:
            return None
        from tqdm.auto import tqdm

        bar = tqdm(total=run.total, initial=done, desc=f"audit run {run.id}", unit="account", dynamic_ncols=True)
        bar.set_postfix(self._postfix(), refresh=False)
        return bar

    def _postfix(self) -> dict[str, int]:
        ok = self._tally.get(Status.OK.value, 0)
        return {"ok": ok, "broken": sum(self._tally.values()) - ok}

    # --- running -------------------------------------------------------------------------
    async def _drive(self, todo: list[tuple[int, Account]], companies: dict[str, str], batch: ResultBatch,
                     summary: AuditSummary, bar: Any) -> None:
        """Run the worker pool; cancelled (Ctrl-C, kernel interrupt) -> stop the workers, then re-raise."""
        if not todo:
            return
        queue = iter(todo)
        count = min((self.options or AuditOptions()).concurrency, len(todo))
        self._workers = [asyncio.create_task(self._worker(queue, companies, batch, summary, bar))
                         for _ in range(count)]
        try:
            finished, _ = await asyncio.wait(self._workers, return_when=asyncio.FIRST_EXCEPTION)
        except BaseException:
            self._stopping = True
            await self._drain()
            raise
        failed = [t for t in finished if not t.cancelled() and t.exception() is not None]
        if failed:  # a programming error: stop the others and let it surface
            self._stopping = True
            await self._drain()
            raise failed[0].exception()  # type: ignore[misc]

    async def _drain(self) -> None:
        self._cancel_workers()
        await asyncio.gather(*self._workers, return_exceptions=True)

    async def _worker(self, todo: Iterator[tuple[int, Account]], companies: dict[str, str], batch: ResultBatch,
                      summary: AuditSummary, bar: Any) -> None:
        for account_id, account in todo:  # one shared iterator: each account goes to exactly one worker
            if self._stopping:
                return
            try:
                result = await self.check_one(account_id, account, companies.get(account.company, account.company))
            except KeyboardInterrupt:  # Jupyter's interrupt can land here: stop cleanly, re-raise from run()
                self._interrupted = True
                self.stop()
                return
            batch.add(result.run_id, result.row())
            twostep_on_observed(self._inventory, account.email, result.diagnosis, f"audit run {result.run_id}")
            summary.results.append(result)
            self._tally[result.status.value] += 1
            if bar is not None:
                bar.set_postfix(self._postfix(), refresh=False)
                bar.update(1)
            if self.on_result is not None:
                outcome = self.on_result(result)
                if inspect.isawaitable(outcome):
                    await outcome

    async def check_one(self, account_id: int, account: Account, company_name: str) -> AuditResult:
        """One account within its deadline, retried once after a temporary failure."""
        options = self.options or AuditOptions()
        started = time.monotonic()
        attempts, result = 0, None
        try:
            async with asyncio.timeout(options.deadline):
                while True:
                    attempts += 1
                    result = await self._attempt(account, company_name, options)
                    delay = retry_delay(result, attempts, options)
                    if delay is None or time.monotonic() + delay - started >= options.deadline:
                        break
                    await self._announce(RetryNotice(account.email, account.company, result.status, delay, attempts))
                    await asyncio.sleep(delay)
            diagnosis, step, message_id = result.diagnosis, result.failed_step, result.message_id
            token_source = result.token_source
        except TimeoutError:
            previous = f" (attempt {attempts - 1}: {result.status.value})" if result is not None else ""
            diagnosis = diagnosis_for(Status.TIMEOUT, step="deadline",
                                      raw=f"no result within the {options.deadline:g} s deadline{previous}")
            step, message_id = "deadline", None
            token_source = result.token_source if result is not None else ""
        except Exception as exc:  # noqa: BLE001 - one account's failure is its result, never the run's end
            diagnosis, step, message_id, token_source = failure_diagnosis(exc), "check", None, ""
        return AuditResult(self.run_id or 0, account_id, account.email, account.company, diagnosis, step=step,
                           attempts=attempts, duration_ms=int((time.monotonic() - started) * 1000),
                           message_id=message_id, provider=account.provider, token_source=token_source)

    async def _announce(self, notice: RetryNotice) -> None:
        if self.on_retry is not None:
            outcome = self.on_retry(notice)
            if inspect.isawaitable(outcome):
                await outcome

    async def _attempt(self, account: Account, company_name: str, options: AuditOptions) -> CheckResult:
        send = None
        if options.send_test:  # From the account's first extra address, as its software sends (SendOptions)
            send = SendOptions(to=options.send_to, attachments=options.attachments, lang=options.lang,
                               company_name=company_name)
        timeouts = Timeouts().capped(options.deadline)
        credentials, failed = await credentials_or_result(account, self.workspace, "smtp", self._secrets)
        if failed is not None:  # no access token to be had, or the keyring failed
            return failed
        try:
            return await check_with(account, credentials, send=send, timeouts=timeouts,
                                    workspace=self.workspace)
        except NetworkError as exc:  # the core turns these into results; this is only a safety net
            return CheckResult(account.email, "smtp", classify_exception(exc, step=exc.step),
                               steps=[Step(exc.step or "connect", False, redact(exc))])


def failure_diagnosis(exc: Exception) -> Diagnosis:
    """`unknown`, naming what went wrong (the exception's kind and redacted message), for an account whose
    check raised: the audit records it as that account's result and goes on with the others."""
    return diagnosis_for(Status.UNKNOWN, step="check", raw=f"the check stopped with {type(exc).__name__}: {exc}")


def select_accounts(inventory: Inventory, store: AuditStore, selection: Selection,
                    ids: dict[str, int] | None = None) -> list[tuple[int, Account]]:
    """(account id, account) for a selection; unknown emails are a usage error naming them."""
    ids = ids if ids is not None else store.account_ids()
    accounts = inventory.accounts(selection.company, selection.emails)
    if selection.emails:
        found = {a.email.lower() for a in accounts}
        missing = [e for e in selection.emails if e.strip().lower() not in found]
        if missing:
            where = f" in company {selection.company!r}" if selection.company else ""
            raise NotFoundError(f"not in the inventory{where}: {', '.join(missing)}")
    chosen = [(ids[a.email.lower()], a) for a in accounts]
    if selection.broken:
        latest = store.latest_statuses()
        chosen = [(i, a) for i, a in chosen if latest.get(i, Status.OK.value) != Status.OK.value]
    return chosen


async def run_audit(workspace: Workspace | None = None, selection: Selection | None = None,
                    options: AuditOptions | None = None, *, resume: str | int | None = None,
                    on_result: ResultCallback | None = None, progress: bool = False,
                    on_retry: RetryCallback | None = None) -> AuditSummary:
    """Audit the selected accounts (or finish run `resume`, which may be "last"); see `Audit`."""
    return await Audit(workspace, selection, options, resume=resume, on_result=on_result,
                       progress=progress, on_retry=on_retry).run()


def audit(workspace: Workspace | None = None, selection: Selection | None = None,
          options: AuditOptions | None = None, **kwargs: Any) -> AuditSummary:
    """`run_audit` for plain scripts; inside Jupyter use `await run_audit(...)`."""
    return run_sync(run_audit(workspace, selection, options, **kwargs))


__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_DEADLINE",
    "Audit",
    "AuditOptions",
    "AuditResult",
    "AuditSummary",
    "RetryNotice",
    "Selection",
    "audit",
    "failure_diagnosis",
    "retry_delay",
    "run_audit",
    "select_accounts",
]
