"""Audit runs and their results in the workspace's SQLite file (tables `runs` and `results`).

An audit's results are committed in small batches (`ResultBatch`: every 64 results or half a second,
whichever comes first; WAL, synchronous=NORMAL: a commit is a write to the WAL without an fsync), so a
crash or a kill loses at most the batch not yet written, which a resume checks again; a run that was
killed stays `running` with the id of its process, which is how `resume("last")` tells a dead run from
one still going. The store never holds a secret: replies are redacted again on the way in.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mailkit.errors import NotFoundError, UsageError
from mailkit.processes import pid_alive
from mailkit.schema import connect
from mailkit.secrets.redaction import redact
from mailkit.workspace import Workspace

RUNNING, FINISHED, INTERRUPTED = "running", "finished", "interrupted"


def now_ms() -> str:
    """UTC time with milliseconds: results of one run sort in the order they were found."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class ResultRow:
    """One account's outcome as stored (no secret, reply already redacted)."""

    account_id: int
    status: str
    step: str = ""
    reply_code: int | None = None
    reply: str = ""
    attempts: int = 1
    duration_ms: int = 0
    checked_at: str = field(default_factory=now_ms)
    message_id: str | None = None
    tls_kind: str = ""  # which TLS failure a tls_error was (mailkit.checks.tls.TLS_KINDS)
    token_source: str = ""  # where an OAuth access token came from: consent, delegation, microsoft


@dataclass
class RunInfo:
    """One audit run: what it was asked to check (`selection["accounts"]` = account ids) and how."""

    id: int
    kind: str
    started_at: str
    finished_at: str | None
    state: str
    selection: dict[str, Any]
    options: dict[str, Any]
    total: int

    @property
    def account_ids(self) -> list[int]:
        return [int(i) for i in self.selection.get("accounts", [])]

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> RunInfo:
        data = dict(row)
        data["selection"] = json.loads(data["selection"] or "{}")
        data["options"] = json.loads(data["options"] or "{}")
        return cls(**data)


class AuditStore:
    """Reads and writes runs and results through one connection (the single writer of a run)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    @classmethod
    def open(cls, workspace: Workspace | None = None) -> AuditStore:
        workspace = (workspace or Workspace()).ensure()
        return cls(connect(str(workspace.db_path)))

    def close(self) -> None:
        self.conn.close()

    # --- runs ----------------------------------------------------------------------------
    def start_run(self, selection: dict[str, Any], options: dict[str, Any], account_ids: list[int],
                  kind: str = "audit") -> RunInfo:
        """Create a `running` run that owns these accounts; the current process is its owner."""
        chosen = {**selection, "accounts": list(account_ids)}
        cursor = self.conn.execute(
            "INSERT INTO runs (kind, started_at, state, selection, options, total) VALUES (?, ?, ?, ?, ?, ?)",
            (kind, now_ms(), RUNNING, json.dumps(chosen), json.dumps({**options, **_owner()}), len(account_ids)))
        return self.run(int(cursor.lastrowid))

    def run(self, run_id: int) -> RunInfo:
        row = self.conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no audit run {run_id}: see `mailkit report` for the runs there are")
        return RunInfo.from_row(row)

    def resolve(self, ref: str | int) -> RunInfo:
        """A run to resume: its number, or `last` = the latest run that did not finish."""
        if str(ref).strip().lower() == "last":
            row = self.conn.execute("SELECT * FROM runs WHERE state != ? ORDER BY id DESC LIMIT 1",
                                    (FINISHED,)).fetchone()
            if row is None:
                raise NotFoundError("no interrupted audit run to resume: every run finished")
            run = RunInfo.from_row(row)
        else:
            try:
                run = self.run(int(ref))
            except ValueError:
                raise UsageError(f"--resume takes a run number or 'last', not {ref!r}") from None
        if run.state == FINISHED:
            raise UsageError(f"audit run {run.id} already finished: start a new audit instead")
        if run.state == RUNNING and _owner_alive(run.options):
            raise UsageError(f"audit run {run.id} is still running (process {run.options.get('pid')}): "
                             "wait for it or stop it first")
        return run

    def claim(self, run: RunInfo) -> RunInfo:
        """Take over an unfinished run: this process becomes its owner and it is `running` again."""
        options = {**run.options, **_owner()}
        self.conn.execute("UPDATE runs SET state = ?, finished_at = NULL, options = ? WHERE id = ?",
                          (RUNNING, json.dumps(options), run.id))
        return self.run(run.id)

    def finish(self, run_id: int, state: str) -> None:
        """Mark a run finished or interrupted (an interrupted one can be resumed)."""
        if state not in (FINISHED, INTERRUPTED):
            raise ValueError(f"a run ends finished or interrupted, not {state!r}")
        self.conn.execute("UPDATE runs SET state = ?, finished_at = ? WHERE id = ?", (state, now_ms(), run_id))

    # --- results -------------------------------------------------------------------------
    def record(self, run_id: int, row: ResultRow) -> None:
        """Store one result and commit it now (a second result for the same account replaces the first)."""
        self.conn.execute(_INSERT_RESULT, _values(run_id, row))

    def record_many(self, results: list[tuple[int, ResultRow]]) -> None:
        """Store (run id, result) pairs in one transaction: all of them, or none after an error."""
        if not results:
            return
        if self.conn.in_transaction:  # part of the caller's transaction, committed with it
            self.conn.executemany(_INSERT_RESULT, [_values(run_id, row) for run_id, row in results])
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany(_INSERT_RESULT, [_values(run_id, row) for run_id, row in results])
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def finished_ids(self, run_id: int) -> set[int]:
        """Accounts this run already has a result for (skipped on resume)."""
        return {r[0] for r in self.conn.execute("SELECT account_id FROM results WHERE run_id = ?", (run_id,))}

    def counts(self, run_id: int) -> dict[str, int]:
        """Results of a run per status."""
        rows = self.conn.execute("SELECT status, COUNT(*) FROM results WHERE run_id = ? GROUP BY status", (run_id,))
        return {status: count for status, count in rows}

    def latest_statuses(self) -> dict[int, str]:
        """Each checked account's most recent status (what `--broken` selects on)."""
        rows = self.conn.execute(
            "SELECT account_id, status FROM (SELECT account_id, status, ROW_NUMBER() OVER "
            "(PARTITION BY account_id ORDER BY checked_at DESC, run_id DESC) AS n FROM results) WHERE n = 1")
        return {account_id: status for account_id, status in rows}

    def account_ids(self) -> dict[str, int]:
        """Inventory account ids by lower-cased email."""
        return {email.lower(): account_id for account_id, email in self.conn.execute("SELECT id, email FROM accounts")}


_INSERT_RESULT = (
    "INSERT OR REPLACE INTO results (run_id, account_id, status, step, reply_code, reply, attempts, duration_ms, "
    "checked_at, sent_message_id, tls_kind, token_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _values(run_id: int, row: ResultRow) -> tuple[Any, ...]:
    return (run_id, row.account_id, row.status, row.step, row.reply_code, redact(row.reply) if row.reply else "",
            row.attempts, row.duration_ms, row.checked_at, row.message_id, row.tls_kind, row.token_source)


class ResultBatch:
    """An audit's results on their way to SQLite: one transaction per `rows` results or `seconds` after the
    first one waiting, whichever comes first (a commit per result cost more than the rest of the bookkeeping).

    A crash or a kill loses at most the results waiting here; a resume checks those accounts again. The
    timer needs a running event loop (without one, results wait for `rows` or `flush()`); call `flush()`
    before reading the run's results and when the run ends.
    """

    def __init__(self, store: AuditStore, rows: int = 64, seconds: float = 0.5):
        self.store, self.rows, self.seconds = store, rows, seconds
        self._waiting: list[tuple[int, ResultRow]] = []
        self._timer: asyncio.TimerHandle | None = None

    def add(self, run_id: int, row: ResultRow) -> None:
        self._waiting.append((run_id, row))
        if len(self._waiting) >= self.rows:
            self.flush()
        elif self._timer is None:
            with contextlib.suppress(RuntimeError):  # no loop: the count or an explicit flush writes them
                self._timer = asyncio.get_running_loop().call_later(self.seconds, self.flush)

    def flush(self) -> None:
        """Write every waiting result now, in one transaction."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.store.record_many(self._waiting)  # when this raises they stay waiting for the next flush
        self._waiting = []


def _owner() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname()}


def _owner_alive(options: dict[str, Any]) -> bool:
    """True when the process that owns a `running` run still exists on this machine."""
    pid, host = options.get("pid"), options.get("host")
    if not isinstance(pid, int) or host != socket.gethostname() or pid == os.getpid():
        return False
    return pid_alive(pid)


__all__ = ["FINISHED", "INTERRUPTED", "RUNNING", "AuditStore", "ResultBatch", "ResultRow", "RunInfo", "now_ms"]
