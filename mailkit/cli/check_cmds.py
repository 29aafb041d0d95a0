"""`mailkit check EMAIL`: every step of one account's sign-in (and test send), with the fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, open_inventory, say, warn_insecure
from mailkit.errors import UsageError
from mailkit.i18n import resolve_lang
from mailkit.models import insecure_settings
from mailkit.sanitize import one_line

if TYPE_CHECKING:
    from mailkit.checks import CheckResult

TICK, CROSS = "✓", "✗"


def print_result(result: CheckResult, lang: str, *, company: str = "", transcript: bool = False,
                 provider: str | None = None) -> None:
    """Steps with ticks and crosses, then the status, cause and remedy (and the transcript if asked)."""
    say(f"{result.email} ({result.protocol.upper()})")
    for step in result.steps:
        say(f"  {TICK if step.ok else CROSS} {step.name:<9} {one_line(step.detail)}")
    data = result.to_dict(lang, company=company, provider=provider)
    say(f"  status: {data['status']}" + (f" ({data['tls_kind']})" if data.get("tls_kind") else ""))
    if not result.ok:
        say(f"  cause:  {data['cause']}")
        say(f"  remedy: {data['remedy']}")
    if transcript:
        say("  transcript:")
        for line in result.transcript:
            say(f"    {one_line(line)}")


def check(
    email: str = typer.Argument(..., help="The account to check."),
    send_to: str = typer.Option(None, "--send-to", help="Send a test message to this address."),
    send: bool = typer.Option(False, "--send", help="Send a test message to the account itself."),
    attachments: bool = typer.Option(False, "--attachments", help="Attach the sample invoice (PDF + XML)."),
    imap: bool = typer.Option(False, "--imap", help="Also sign in over IMAP (imap.gmail.com:993)."),
    show_transcript: bool = typer.Option(False, "--transcript", help="Show the redacted SMTP conversation."),
    json_out: bool = JsonOption,
) -> None:
    """Check sign-in over SMTP (DNS, TCP, TLS, EHLO, AUTH[, send]) and print cause and remedy."""
    from mailkit.checks import SendOptions, check_account
    from mailkit.syncio import run_sync

    lang = resolve_lang(STATE.lang)
    with open_inventory() as inventory:
        account = inventory.account(email)
        company = inventory.company(account.company).name
    warn_insecure([account])
    if insecure_settings(account) and not account.allow_insecure:
        raise UsageError(f"{account.email}: its settings would expose the password; fix its servers with "
                         "`mailkit account add`, or allow it on purpose with --allow-insecure")
    options = None
    if send or send_to or attachments:
        options = SendOptions(to=send_to, attachments=attachments, lang=lang, company_name=company)
    results = [run_sync(check_account(account, workspace=STATE.workspace(), send=options))]
    if imap:
        from mailkit.checks import check_imap_account

        results.append(run_sync(check_imap_account(account, workspace=STATE.workspace())))
    _keep_observations(account.email, results)
    if json_out:
        first = results[0].to_dict(lang, company=company, provider=account.provider)
        if imap:
            first["imap"] = results[1].to_dict(lang, company=company, provider=account.provider)
        emit_json(first)
    else:
        for result in results:
            print_result(result, lang, company=company, transcript=show_transcript, provider=account.provider)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def _keep_observations(email: str, results: list[CheckResult]) -> None:
    """What the sign-ins proved (a 534 5.7.9: 2SV is on) is recorded for `twostep` and `report`."""
    from mailkit.observations import twostep_on_observed

    with open_inventory() as inventory:
        for result in results:
            twostep_on_observed(inventory, email, result.diagnosis, f"`mailkit check` ({result.protocol.upper()})")


def register(app: typer.Typer) -> None:
    app.command("check")(check)
