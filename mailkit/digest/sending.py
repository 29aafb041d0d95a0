"""Send a run's digest: collect what changed, skip when nothing did (unless asked), build the mail and send it
through the chosen account with mailkit's own SMTP check (TLS verified, transcript redacted, the account's
credentials looked up as for any check). Never raises for what the outcome can say."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from mailkit.digest.changes import DigestContent, collect, remember_told
from mailkit.digest.message import Texts, build_message
from mailkit.digest.sender import pick_sender
from mailkit.forecast import DEFAULT_DAYS
from mailkit.models import normalize_email
from mailkit.secrets.redaction import redact
from mailkit.workspace import Workspace

SENT, NOTHING_CHANGED, NO_SENDER, FAILED = "sent", "nothing_changed", "no_sender", "failed"


@dataclass(frozen=True)
class DigestOutcome:
    """How the digest went: `state` is sent, nothing_changed, no_sender or failed."""

    state: str
    to: str
    via: str | None = None
    status: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state in (SENT, NOTHING_CHANGED)

    def line(self) -> str:
        """One line for the terminal and the schedule log."""
        if self.state == SENT:
            return f"digest sent to {self.to} through {self.via}"
        if self.state == NOTHING_CHANGED:
            return f"digest not sent to {self.to}: nothing changed since the previous run (--digest-always sends it)"
        if self.state == NO_SENDER:
            return (f"digest not sent to {self.to}: no account to send it through (none is ok yet); set digest.via "
                    "or the admin's own account (digest.sender, digest.smtp_host) in the workspace settings")
        return f"digest to {self.to} through {self.via} failed: {self.status}: {self.detail}"

    def to_dict(self) -> dict[str, object]:
        return {"state": self.state, "to": self.to, "via": self.via, "status": self.status, "detail": self.detail}


def check_address(to: str) -> str:
    """The digest's recipient, checked before any audit starts (UsageError names the option)."""
    return normalize_email(to, "--digest-to")


async def adeliver(workspace: Workspace, run_id: int, to: str, *, lang: str = "en", attach: bool = False,
                   always: bool = False, days: float = DEFAULT_DAYS, company: str | None = None) -> DigestOutcome:
    """Collect, build and send the digest of audit run `run_id` to `to`."""
    import asyncio

    to = check_address(to)
    content = await asyncio.to_thread(collect, workspace, run_id, days=days, company=company)
    if not content.changed and not always:
        return DigestOutcome(NOTHING_CHANGED, to)
    account = await asyncio.to_thread(pick_sender, workspace)
    if account is None:
        return DigestOutcome(NO_SENDER, to)
    texts, attachment = await asyncio.to_thread(_extras, workspace, content, lang, attach, company)
    message = build_message(content, sender=account.email, to=to, lang=lang, texts=texts, attachment=attachment)
    result = await _send(workspace, account, message)
    if not result.ok:
        return DigestOutcome(FAILED, to, account.email, result.status.value, redact(result.diagnosis.cause(lang)))
    await asyncio.to_thread(remember_told, workspace, content)
    return DigestOutcome(SENT, to, account.email, result.status.value)


def deliver(workspace: Workspace, run_id: int, to: str, **options: object) -> DigestOutcome:
    """`adeliver` for synchronous callers (the CLI, the scheduled job)."""
    from mailkit.syncio import run_sync

    return run_sync(adeliver(workspace, run_id, to, **options))  # type: ignore[arg-type]


async def _send(workspace: Workspace, account: object, message: object) -> object:
    from mailkit.checks.account import credentials_or_result, insecure_refusal
    from mailkit.checks.smtp import check_smtp
    from mailkit.endpoints import extra_ca_file

    refused = insecure_refusal(account, "smtp")  # type: ignore[arg-type]
    if refused is not None:
        return refused
    credentials, failed = await credentials_or_result(account, workspace, "smtp")  # type: ignore[arg-type]
    if failed is not None:
        return failed
    return await check_smtp(account, credentials, message=message,  # type: ignore[arg-type]
                            ca_file=extra_ca_file(account, workspace))


def _extras(workspace: Workspace, content: DigestContent, lang: str, attach: bool,
            company: str | None) -> tuple[Texts, bytes | None]:
    """Each newly broken account's cause and remedy as the report words them, and the .xlsx when asked."""
    from mailkit.reports import english_name, export, status

    frame = status(workspace, lang=lang, company=company).rename(columns=english_name)
    broken = {c.email for c in content.newly_broken}
    texts = {row.email: (str(row.cause or ""), str(row.remedy or ""))
             for row in frame.itertuples() if row.email in broken}
    if not attach:
        return texts, None
    with tempfile.TemporaryDirectory() as folder:
        path = export(Path(folder) / "report.xlsx", workspace, lang=lang, company=company)
        return texts, path.read_bytes()


__all__ = ["FAILED", "NOTHING_CHANGED", "NO_SENDER", "SENT", "DigestOutcome", "adeliver", "check_address",
           "deliver"]
