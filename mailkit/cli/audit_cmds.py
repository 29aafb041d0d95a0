"""`mailkit audit`: bulk sign-in checks and test sends, interruptible and resumable."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from typing import Any

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, open_inventory, say, warn_insecure
from mailkit.errors import UsageError
from mailkit.i18n import resolve_lang

INTERRUPTED_EXIT = 130
FORCE_AFTER = 1.5  # seconds between a stop signal and cancelling the run's task


def audit(
    company: str = typer.Option(None, "--company", help="Only this company (slug or name)."),
    email: list[str] = typer.Option(None, "--email", help="Only this account (repeatable)."),
    broken: bool = typer.Option(False, "--broken", help="Only accounts whose latest status is not ok."),
    send_test: bool = typer.Option(False, "--send-test", help="Also send a test message (to the account itself)."),
    send_to: str = typer.Option(None, "--send-to", help="Send the test messages to this address instead."),
    attachments: bool = typer.Option(False, "--attachments", help="Attach the sample invoice (PDF + XML)."),
    concurrency: int = typer.Option(None, "--concurrency", help="Accounts checked at once (default 32)."),
    deadline: float = typer.Option(None, "--deadline", help="Seconds allowed per account, retry included "
                                   "(default 90)."),
    resume: str = typer.Option(None, "--resume", metavar="RUN", help="Finish an interrupted run: its number or "
                               "'last'."),
    json_out: bool = JsonOption,
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
    digest_to: str = typer.Option(None, "--digest-to", metavar="ADDRESS", help="Then mail this address what "
                                  "changed since the previous run (newly broken, fixed, breaking soon)."),
    digest_attach: bool = typer.Option(False, "--digest-attach", help="Attach the .xlsx report to the digest."),
    digest_always: bool = typer.Option(False, "--digest-always", help="Send the digest even when nothing changed."),
) -> None:
    """Check sign-in (and with --send-test send a test) for many accounts at once; results go to the
    workspace as they come, so an interrupted run can be finished with --resume."""
    from mailkit.audit import DEFAULT_CONCURRENCY, DEFAULT_DEADLINE, Audit, AuditOptions, Selection
    from mailkit.syncio import run_sync

    lang = resolve_lang(STATE.lang)
    if resume is not None and (company or email or broken or send_test or send_to or attachments):
        raise UsageError("--resume finishes a run as it was started: leave out --company, --email, --broken "
                         "and the --send-* options")
    if digest_to is not None:
        from mailkit.digest import check_address, check_settings

        digest_to = check_address(digest_to)
        check_settings(STATE.workspace())
    elif digest_attach or digest_always:
        raise UsageError("--digest-attach and --digest-always go with --digest-to ADDRESS")
    if (send_to or attachments) and not send_test and resume is None:
        send_test = True
    options = AuditOptions(send_test=send_test, send_to=send_to, attachments=attachments, lang=lang,
                           concurrency=DEFAULT_CONCURRENCY if concurrency is None else concurrency,
                           deadline=DEFAULT_DEADLINE if deadline is None else deadline)
    if resume is not None and concurrency is None and deadline is None:
        options = None  # keep the run's own pace
    _warn_insecure(company, email)
    runner = Audit(STATE.workspace(), Selection(company, list(email) if email else None, broken), options,
                   resume=resume, progress=not no_progress, on_retry=_announce_retry(progress=not no_progress))
    received: list[int] = []
    try:
        summary = run_sync(_stop_on_signals(runner, received))
    except (KeyboardInterrupt, asyncio.CancelledError):
        received.append(signal.SIGINT)
        summary = None
    if summary is None or signal.SIGINT in received:
        if runner.run_id is not None:
            say(f"interrupted: run {runner.run_id} is saved; finish it with `mailkit audit --resume "
                f"{runner.run_id}`", err=True)
        raise typer.Exit(INTERRUPTED_EXIT)
    digest = None
    if digest_to is not None and summary.run_id is not None:
        from mailkit.digest import deliver

        digest = deliver(STATE.workspace(), summary.run_id, digest_to, lang=lang, attach=digest_attach,
                         always=digest_always, company=company)
    if json_out:
        emit_json({**summary.to_dict(lang), **({"digest": digest.to_dict()} if digest else {})})
    else:
        _print_summary(summary, lang)
        if digest is not None:
            say(digest.line(), err=not digest.ok)
    if not summary.ok or (digest is not None and not digest.ok):
        raise typer.Exit(1)


def _warn_insecure(company: str | None, emails: list[str] | None) -> None:
    """A warning on stderr for each selected account whose settings would expose its password."""
    with open_inventory() as inventory:
        warn_insecure(inventory.accounts(company, list(emails) if emails else None))


def _announce_retry(*, progress: bool) -> Callable[[Any], None]:
    """A line on stderr for each scheduled retry (above the progress bar when there is one): a run
    waiting out "try again later" says so instead of looking stuck."""

    def announce(notice: Any) -> None:
        seconds = f"{notice.delay:.0f}" if notice.delay >= 1 else f"{notice.delay:.1f}"
        text = f"{notice.email}: retrying in {seconds} s: {notice.status.value}"
        if not progress:
            say(text, err=True)
            return
        from tqdm.auto import tqdm

        from mailkit.secrets import redact

        tqdm.write(redact(text), file=sys.stderr)

    return announce


async def _stop_on_signals(runner: Any, received: list[int]) -> Any:
    """Ctrl-C (SIGINT) and SIGTERM (systemd, a cron timeout) stop the run cleanly: no new account starts,
    those in flight are abandoned, the run is marked interrupted and stays resumable. Should the run not
    have ended `FORCE_AFTER` seconds after the first signal, its task is cancelled outright."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()

    def stop(signum: int) -> None:
        if not received and main is not None:
            loop.call_later(FORCE_AFTER, main.cancel)
        received.append(signum)
        runner.stop()

    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not on Windows / main thread
            loop.add_signal_handler(signum, stop, signum)
            installed.append(signum)
    try:
        return await runner.run()
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


def _print_summary(summary: Any, lang: str) -> None:
    if summary.run_id is None:
        say("nothing to check: no account matches the selection")
        return
    for result in sorted(summary.results, key=lambda r: (r.company, r.email)):
        if not result.ok:
            data = result.to_dict(lang)
            say(f"✗ {result.email:<40} {data['status']:<24} {data['remedy']}")
    counts = ", ".join(f"{status} {count}" for status, count in sorted(summary.counts.items()))
    resumed = f" ({summary.skipped} done before the resume)" if summary.skipped else ""
    say(f"run {summary.run_id} {summary.state}: {summary.checked} of {summary.total} checked{resumed}; "
        f"{summary.counts.get('ok', 0)} ok, {summary.broken} not ok" + (f" [{counts}]" if counts else ""))
    if summary.state != "finished":
        say(f"finish it with `mailkit audit --resume {summary.run_id}`")


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)


__all__ = ["audit", "register"]
