"""`mailkit twostep check/confirm/setup/steps`: is 2-Step Verification on, and who says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, open_inventory, say
from mailkit.errors import UsageError

twostep_app = typer.Typer(help="2-Step Verification: check (Directory API or sign-in probe), confirm by hand, set up.",
                          no_args_is_help=True)


def _table(rows: list) -> None:
    say(f"{'email':<42} {'state':<8} {'enforced':<9} {'source':<20} checked at")
    for row in rows:
        enforced = "-" if row.enforced is None else "yes" if row.enforced else "no"
        by = f" (by {row.confirmed_by})" if row.confirmed_by else ""
        say(f"{row.email:<42} {row.state:<8} {enforced:<9} {row.source:<20} {row.checked_at}{by}")


@twostep_app.command("check")
def twostep_check(
    email: str = typer.Argument(None, help="One account (default: every account, or --company's)."),
    company: str = typer.Option(None, "--company", help="Only this company's accounts."),
    ask_password: bool = typer.Option(False, "--ask-password",
                                      help="Ask for EMAIL's account password to probe with (not stored)."),
    json_out: bool = JsonOption,
) -> None:
    """Find out whether 2SV is on: Workspace Directory API, else a sign-in probe. Exit 1 if any is off/unknown."""
    from mailkit.i18n import resolve_lang
    from mailkit.syncio import run_sync
    from mailkit.twostep import check_twostep, manual_steps

    if email and company:
        raise UsageError("give either EMAIL or --company, not both")
    passwords = {}
    with open_inventory() as inventory:
        accounts = [inventory.account(email)] if email else inventory.accounts(company)
        if ask_password:
            if not email:
                raise UsageError("--ask-password needs one EMAIL")
            from mailkit.cli.secret_cmds import read_secret

            passwords[accounts[0].email] = read_secret(f"Account password of {accounts[0].email}")
        if not accounts:
            raise UsageError("no accounts to check: add some with `mailkit account add` or `account import`")
        rows = run_sync(check_twostep(inventory, accounts, workspace=STATE.workspace(), passwords=passwords))
    if json_out:
        emit_json([row.to_dict() for row in rows])
    else:
        _table(rows)
        for row in rows:
            if not row.known:
                say(f"\n{row.email}: unknown — {row.detail}")
        if any(not row.known for row in rows):
            first = next(row for row in rows if not row.known)
            say("\n" + manual_steps(resolve_lang(STATE.lang), first.email))
    if any(row.state != "on" for row in rows):
        raise typer.Exit(1)


@twostep_app.command("confirm")
def twostep_confirm(
    email: str = typer.Argument(..., help="The account you looked at."),
    state: str = typer.Option(..., "--state", help="What myaccount.google.com shows: on or off."),
    by: str = typer.Option(..., "--by", help="Who looked (name or initials)."),
    json_out: bool = JsonOption,
) -> None:
    """Record 2SV as seen at myaccount.google.com → Security, with who confirmed it and when."""
    from mailkit.twostep import confirm_manually

    with open_inventory() as inventory:
        row = confirm_manually(inventory, email, state, by)
    if json_out:
        emit_json(row.to_dict())
    else:
        say(f"recorded: 2-Step Verification {row.state} for {row.email}, confirmed by {row.confirmed_by} "
            f"at {row.checked_at}")


@twostep_app.command("steps")
def twostep_steps(email: str = typer.Argument(None, help="The account, to fill in the commands.")) -> None:
    """Print where to look at myaccount.google.com (2-Step Verification, App passwords)."""
    from mailkit.i18n import resolve_lang
    from mailkit.twostep import manual_steps

    say(manual_steps(resolve_lang(STATE.lang), email))


@twostep_app.command("setup")
def twostep_setup(
    service_account: Path = typer.Option(None, "--service-account", dir_okay=False,
                                         help="JSON key of a service account with domain-wide delegation."),
    admin: str = typer.Option(None, "--admin", help="A Workspace admin of the client's domain (to act as)."),
    admin_oauth: str = typer.Option(None, "--admin-oauth", metavar="ADMIN_EMAIL",
                                    help="Instead of a service account: this Workspace admin consents in the browser."),
    no_browser: bool = typer.Option(False, "--no-browser", help="With --admin-oauth: paste the final address."),
    timeout: float = typer.Option(420.0, "--timeout", min=0.1, help="With --admin-oauth: seconds to wait."),
    test: bool = typer.Option(True, "--test/--no-test", help="Read the admin's own user to prove it works."),
    json_out: bool = JsonOption,
) -> None:
    """Give mailkit read access to Workspace 2SV status (Admin SDK Directory API)."""
    from mailkit.twostep import DirectoryClient, DirectoryError, configure_directory

    if admin_oauth is not None:
        if service_account is not None or admin is not None:
            raise UsageError("--admin-oauth is the other way to read the Directory: give it without "
                             "--service-account/--admin")
        _setup_admin_oauth(admin_oauth, no_browser=no_browser, timeout=timeout, test=test, json_out=json_out)
        return
    if service_account is None and admin is None:
        raise UsageError("give --service-account FILE and/or --admin EMAIL, or --admin-oauth EMAIL")
    settings = configure_directory(STATE.workspace(), service_account=service_account, admin=admin)
    result = {"service_account": str(settings.service_account or ""), "admins": settings.admins, "tested": False}
    if test and settings.service_account and settings.admins:
        target = admin or settings.admins[-1]
        try:
            user = DirectoryClient.for_domain(STATE.workspace(), target.rpartition("@")[2]).get_user(target)
            result.update(tested=True, ok=True, detail=f"read {user.email}: 2SV {'on' if user.enrolled else 'off'}")
        except DirectoryError as exc:
            result.update(tested=True, ok=False, reason=exc.reason, detail=str(exc))
    if json_out:
        emit_json(result)
    else:
        say(f"service account: {result['service_account'] or '(not set)'}")
        say(f"admins: {', '.join(settings.admins) or '(none)'}")
        if result["tested"]:
            say(("ok: " if result["ok"] else "FAILED: ") + result["detail"])
    if result["tested"] and not result["ok"]:
        raise typer.Exit(1)


def _setup_admin_oauth(admin: str, *, no_browser: bool, timeout: float, test: bool, json_out: bool) -> None:
    """The admin's own consent to the read-only Directory scope, as `mailkit oauth login` does it; then
    read the admin's own user to prove it works (a non-admin's token is forgotten)."""
    from mailkit.cli.oauth_cmds import run_consent
    from mailkit.models import normalize_email
    from mailkit.oauth import ConsentFlow
    from mailkit.twostep import DIRECTORY_ADMIN, DirectoryError, confirm_admin_oauth

    admin = normalize_email(admin, "--admin-oauth").lower()
    flow = ConsentFlow(admin, STATE.workspace(), purpose=DIRECTORY_ADMIN)
    consent = run_consent(flow, f"Sign in as {admin} (an admin of {admin.rpartition('@')[2]}) and allow access "
                          "on this page:", no_browser=no_browser, timeout=timeout, json_out=json_out)
    result: dict[str, Any] = {"admin_oauth": admin, "consent": consent.to_dict(), "tested": False,
                              "ok": consent.ok, "detail": consent.message}
    if consent.ok and test:
        try:
            user = confirm_admin_oauth(STATE.workspace(), admin)
            result.update(tested=True, detail=f"read {user.email}: 2SV {'on' if user.enrolled else 'off'}")
        except DirectoryError as exc:
            forgotten = " mailkit forgot this token." if exc.reason == "not_admin" else ""
            result.update(tested=True, ok=False, reason=exc.reason, detail=str(exc) + forgotten)
    if json_out:
        emit_json(result)
    else:
        say(("✓ " if consent.ok else "✗ ") + consent.message)
        if result["tested"]:
            say(("ok: " if result["ok"] else "FAILED: ") + result["detail"])
    if not result["ok"]:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(twostep_app, name="twostep")


__all__ = ["register"]
