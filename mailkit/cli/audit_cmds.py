"""`mailkit audit` (bulk sign-in checks / test sends) and `mailkit report` (status of every account)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, say
from mailkit.errors import UsageError
from mailkit.i18n import normalize_lang, resolve_lang

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
) -> None:
    """Check sign-in (and with --send-test send a test) for many accounts at once; results go to the
    workspace as they come, so an interrupted run can be finished with --resume."""
    from mailkit.audit import DEFAULT_CONCURRENCY, DEFAULT_DEADLINE, Audit, AuditOptions, Selection
    from mailkit.syncio import run_sync

    lang = resolve_lang(STATE.lang)
    if resume is not None and (company or email or broken or send_test or send_to or attachments):
        raise UsageError("--resume finishes a run as it was started: leave out --company, --email, --broken "
                         "and the --send-* options")
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
    if json_out:
        emit_json(summary.to_dict(lang))
    else:
        _print_summary(summary, lang)
    if not summary.ok:
        raise typer.Exit(1)


def _warn_insecure(company: str | None, emails: list[str] | None) -> None:
    """A warning on stderr for each selected account whose settings would expose its password."""
    from mailkit.cli.inventory_cmds import open_inventory, warn_insecure

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

        from mailkit.secrets.redaction import redact

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


def report(
    output: Path = typer.Option(None, "--output", "-o", dir_okay=False,
                                help="Also write the report to FILE (.xlsx, .csv or .html)."),
    lang: str = typer.Option(None, "--lang", help="Language of headers, causes and remedies: en, es, pl."),
    company: str = typer.Option(None, "--company", help="Only this company (slug)."),
    json_out: bool = JsonOption,
) -> None:
    """The latest status of every account with its cause and remedy, and a roll-up per company."""
    from mailkit.reports import frames as reports

    chosen = lang or STATE.lang
    if chosen and normalize_lang(chosen) is None:
        raise UsageError(f"--lang {chosen!r}: choose en, es or pl")
    text_lang = resolve_lang(chosen)
    if company:
        from mailkit.cli.inventory_cmds import open_inventory

        with open_inventory() as inventory:
            company = inventory.company(company).slug  # "no company ..." (exit 2) rather than an empty report
    latest = reports.status(STATE.workspace(), lang=text_lang, company=company)
    latest = latest.rename(columns=reports.english_name)
    companies = reports.by_company(frame=latest)
    if output is not None:
        from mailkit.reports.files import export

        export(output, STATE.workspace(), lang=chosen, company=company)
    if json_out:
        emit_json({"accounts": _records(latest), "companies": _records(companies),
                   **({"output": str(output)} if output else {})})
    else:
        print_report(latest, companies, chosen)
        if output is not None:
            say(f"wrote {output}")
    if (latest["status"] != "ok").any():
        raise typer.Exit(1)


def _records(frame: Any) -> list[dict[str, Any]]:
    """Rows as dicts; `emit_json` turns pandas' missing values into null and times into ISO 8601."""
    return frame.to_dict(orient="records")


def print_report(latest: Any, companies: Any, lang: str | None) -> None:
    from mailkit.reports.files import header

    if latest.empty:
        say("no accounts yet: `mailkit account import FILE`, then `mailkit audit`")
        return
    width = shutil.get_terminal_size((200, 24)).columns if sys.stdout.isatty() else 10_000
    cols = ["company", "email", "status", "remedy"]
    shown = [_shown_status(row) for row in latest.itertuples(index=False)]
    sizes = [max(len(header(c, lang)), *(len(str(v)) for v in values))
             for c, values in zip(cols[:3], [latest["company"], latest["email"], shown], strict=True)]
    say("  ".join(header(c, lang).ljust(n) for c, n in zip(cols, [*sizes, 0], strict=True)).rstrip())
    room = max(20, width - sum(sizes) - 6)
    for row in latest.itertuples(index=False):
        remedy = "" if row.status == "ok" else str(row.remedy)
        remedy = remedy if len(remedy) <= room else remedy[: room - 1] + "…"
        say("  ".join([row.company.ljust(sizes[0]), row.email.ljust(sizes[1]),
                       _shown_status(row).ljust(sizes[2]), remedy]).rstrip())
    say()
    say(f"{header('company', lang):<24} {header('accounts', lang):>8} {'ok':>5} {header('broken', lang):>14} "
        f"{header('not_checked', lang):>14} {header('health', lang):>8}")
    for row in companies.itertuples(index=False):
        ok = getattr(row, "ok", 0)
        say(f"{row.company:<24} {row.accounts:>8} {ok:>5} {row.broken:>14} {row.not_checked:>14} "
            f"{row.health:>8.0%}")


def _shown_status(row: Any) -> str:
    """The status, with the kind of TLS failure after a tls_error: `tls_error (hostname_mismatch)`."""
    kind = getattr(row, "tls_kind", "")
    return f"{row.status} ({kind})" if row.status and isinstance(kind, str) and kind else (row.status or "-")


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
    app.command("report")(report)


__all__ = ["audit", "register", "report"]
