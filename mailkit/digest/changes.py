"""What a digest tells: the accounts of a run whose status changed since their result before it (newly broken,
fixed) and the forecast's items, with the items already told in an earlier digest set apart, so a digest with
nothing new need not be sent."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mailkit.audit_store import AuditStore
from mailkit.files import write_private
from mailkit.forecast import DEFAULT_DAYS, ForecastItem, forecast
from mailkit.status import Status
from mailkit.workspace import Workspace

#: In the workspace: the forecast items a digest already told of (one key per account, reason and date).
STATE_FILE = "digest_state.json"

_CHANGES_SQL = """
SELECT a.email, a.company_slug, c.name, r.status,
       (SELECT p.status FROM results p JOIN runs q ON q.id = p.run_id
         WHERE p.account_id = r.account_id AND p.run_id != r.run_id AND p.checked_at < r.checked_at
           AND q.kind != 'consent'
         ORDER BY p.checked_at DESC LIMIT 1) AS before
FROM results r JOIN accounts a ON a.id = r.account_id JOIN companies c ON c.slug = a.company_slug
WHERE r.run_id = ?
ORDER BY c.name, a.email
"""


@dataclass(frozen=True)
class Change:
    """One account whose status changed in the run: `before` (None: never checked before) and `now`."""

    email: str
    company: str
    company_name: str
    before: str | None
    now: str

    @property
    def broke(self) -> bool:
        return self.now != Status.OK.value and self.before in (None, Status.OK.value)

    @property
    def fixed(self) -> bool:
        return self.now == Status.OK.value and self.before not in (None, Status.OK.value)


@dataclass
class DigestContent:
    """A run's digest: its changes, the forecast, and which forecast items no earlier digest told of."""

    run_id: int
    checked: int
    broken_now: int
    changes: list[Change] = field(default_factory=list)
    soon: list[ForecastItem] = field(default_factory=list)
    new_soon: list[ForecastItem] = field(default_factory=list)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def newly_broken(self) -> list[Change]:
        return [c for c in self.changes if c.broke]

    @property
    def fixed(self) -> list[Change]:
        return [c for c in self.changes if c.fixed]

    @property
    def changed(self) -> bool:
        """Something to tell: an account broke or was fixed, or the forecast has an item not told before."""
        return bool(self.newly_broken or self.fixed or self.new_soon)

    def companies(self) -> list[tuple[str, str]]:
        """(slug, name) of every company the digest speaks of, by name."""
        seen = {(c.company, c.company_name) for c in self.changes if c.broke or c.fixed}
        seen |= {(i.company, i.company_name) for i in self.soon}
        return sorted(seen, key=lambda pair: (pair[1].lower(), pair[0]))


def collect(workspace: Workspace, run_id: int, *, days: float = DEFAULT_DAYS, company: str | None = None,
            now: datetime | None = None) -> DigestContent:
    """The digest of audit run `run_id`: its changes and the forecast of the next `days`."""
    now = now or datetime.now(UTC)
    store = AuditStore.open(workspace)
    try:
        store.run(run_id)  # NotFoundError when there is no such run
        rows = store.conn.execute(_CHANGES_SQL, (run_id,)).fetchall()
    finally:
        store.close()
    changes = [Change(r[0], r[1], r[2], r[4], r[3]) for r in rows]
    soon = [i for i in forecast(workspace, days, company=company, now=now) if not i.broken(now)]  # broken: above
    told = _told(workspace)
    return DigestContent(run_id, len(changes), sum(1 for c in changes if c.now != Status.OK.value), changes, soon,
                         [i for i in soon if _key(i) not in told], now)


def remember_told(workspace: Workspace, content: DigestContent) -> None:
    """After a digest went out: its forecast items are told (items that no longer stand are forgotten)."""
    write_private(_state_path(workspace), json.dumps({"told": sorted(_key(i) for i in content.soon)}, indent=1))


def _key(item: ForecastItem) -> str:
    return f"{item.email.lower()}|{item.kind}|{item.when:%Y-%m-%d}"


def _state_path(workspace: Workspace) -> Path:
    return workspace.home / STATE_FILE


def _told(workspace: Workspace) -> set[str]:
    try:
        data = json.loads(_state_path(workspace).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {str(k) for k in data.get("told", [])} if isinstance(data, dict) else set()


__all__ = ["STATE_FILE", "Change", "DigestContent", "collect", "remember_told"]
