"""What a scheduled job does: one headless audit of the workspace, told to a log file in the workspace
(`logs/schedule.log`, redacted line by line). An audit already running there is no failure: the job skips,
says so in the log, and ends 0 so the scheduler does not report a broken job."""

from __future__ import annotations

import logging
import logging.handlers
import re
from dataclasses import dataclass
from pathlib import Path

from mailkit.audit_lock import AuditLocked
from mailkit.errors import MailkitError
from mailkit.secrets.redaction import redact
from mailkit.workspace import Workspace

LOG_FILE = Path("logs") / "schedule.log"
_RUN_LINE = re.compile(r"audit run (\d+) (finished|interrupted)")


class RedactingFormatter(logging.Formatter):
    """Every line through mailkit's redaction before it reaches the file (exceptions' text included)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def log_path(workspace: Workspace) -> Path:
    return workspace.home / LOG_FILE


def job_logger(workspace: Workspace) -> logging.Logger:
    """A logger writing to the workspace's schedule log (1 MB, three old files kept)."""
    path = log_path(workspace.ensure())
    path.parent.mkdir(mode=0o700, exist_ok=True)
    logger = logging.getLogger(f"mailkit.schedule.job.{path}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1 << 20, backupCount=3, encoding="utf-8")
        formatter = RedactingFormatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z")
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    return logger


@dataclass(frozen=True)
class JobOutcome:
    """How a scheduled run ended: `ran`, `skipped` (another audit held the lock) or `failed`."""

    state: str
    run_id: int | None = None
    line: str = ""

    @property
    def exit_code(self) -> int:
        return 0 if self.state in ("ran", "skipped") else 2


@dataclass(frozen=True)
class DigestRequest:
    """Mail a digest after the run: to whom, with the .xlsx attached, even when nothing changed."""

    to: str
    attach: bool = False
    always: bool = False

    def args(self) -> tuple[str, ...]:
        """The same request as `schedule run` options."""
        return ("--digest-to", self.to, *(["--digest-attach"] if self.attach else []),
                *(["--digest-always"] if self.always else []))


def run_job(workspace: Workspace, company: str | None = None, lang: str | None = None,
            digest: DigestRequest | None = None) -> JobOutcome:
    """One audit of the workspace (or one company), logged, then its digest mailed when asked; never raises for
    what the log can tell."""
    from mailkit.audit import Audit, AuditOptions, Selection
    from mailkit.i18n import resolve_lang
    from mailkit.syncio import run_sync

    log = job_logger(workspace)
    log.info("audit starting%s", f" (company {company})" if company else "")
    try:
        summary = run_sync(Audit(workspace, Selection(company=company), AuditOptions(lang=resolve_lang(lang))).run())
    except AuditLocked as exc:
        line = f"skipped: {exc}"
        log.info(line)
        return JobOutcome("skipped", None, line)
    except MailkitError as exc:
        line = f"failed: {exc}"
        log.error(line)
        return JobOutcome("failed", None, line)
    except Exception as exc:  # noqa: BLE001 - a job has nobody to show a traceback to: the log says what failed
        line = f"failed: {type(exc).__name__}: {exc}"
        log.error(line)
        return JobOutcome("failed", None, line)
    if summary.run_id is None:
        line = "nothing to check: no account matches the selection"
    else:
        counts = ", ".join(f"{status} {n}" for status, n in sorted(summary.counts.items()))
        line = (f"audit run {summary.run_id} {summary.state}: {summary.checked} of {summary.total} checked, "
                f"{summary.counts.get('ok', 0)} ok, {summary.broken} not ok [{counts}]")
    log.info(line)
    if digest is not None and summary.run_id is not None:
        _mail_digest(workspace, summary.run_id, digest, resolve_lang(lang), company, log)
    return JobOutcome("ran", summary.run_id, line)


def _mail_digest(workspace: Workspace, run_id: int, digest: DigestRequest, lang: str, company: str | None,
                 log: logging.Logger) -> None:
    """Send the run's digest and log how it went (a failed digest is logged, the audit still ran)."""
    from mailkit.digest.sending import deliver

    try:
        outcome = deliver(workspace, run_id, digest.to, lang=lang, attach=digest.attach, always=digest.always,
                          company=company)
    except MailkitError as exc:
        log.error("digest not sent: %s", exc)
        return
    (log.info if outcome.ok else log.error)(outcome.line())


def last_logged_run(workspace: Workspace) -> tuple[int | None, str]:
    """The id of the latest audit run the job logged, and the job's latest log line ('' when none)."""
    path = log_path(workspace)
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None, ""
    run_id = next((int(m.group(1)) for line in reversed(lines) if (m := _RUN_LINE.search(line))), None)
    return run_id, lines[-1] if lines else ""


__all__ = ["LOG_FILE", "DigestRequest", "JobOutcome", "RedactingFormatter", "job_logger", "last_logged_run",
           "log_path", "run_job"]
