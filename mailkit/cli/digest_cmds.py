"""`mailkit digest via|sender`: which account sends the digest mail (`mailkit audit --digest-to`)."""

from __future__ import annotations

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, open_inventory, say

digest_app = typer.Typer(help="The digest mail sent after an audit (`mailkit audit --digest-to ADDRESS`).",
                         no_args_is_help=True)


@digest_app.command("via")
def via_command(email: str = typer.Argument(..., help="An account of the inventory."),
                json_out: bool = JsonOption) -> None:
    """Send the digest through this inventory account (otherwise: the first account whose last result is ok)."""
    with open_inventory() as inventory:
        account = inventory.account(email)
    STATE.workspace().set_setting("digest.via", account.email)
    if json_out:
        emit_json({"via": account.email})
        return
    say(f"the digest goes out through {account.email}")


@digest_app.command("sender")
def sender_command(
    email: str = typer.Argument(..., help="Your own mail account (not one of the inventory)."),
    smtp_host: str = typer.Option(None, "--smtp-host", help="Its SMTP server (default: its provider's)."),
    smtp_port: int = typer.Option(None, "--smtp-port", help="Its SMTP port."),
    security: str = typer.Option(None, "--security", help="starttls, ssl or none."),
    auth: str = typer.Option("password", "--auth", help="password or app-password."),
    provider: str = typer.Option(None, "--provider", help="gmail, workspace, microsoft365 or custom."),
    json_out: bool = JsonOption,
) -> None:
    """Send the digest through your own SMTP account: its settings go to the workspace settings, its password
    (hidden prompt, or the first line of stdin) to keyring. It is tried with a sign-in first."""
    from mailkit.checks import check_account
    from mailkit.cli.secret_cmds import read_secret
    from mailkit.digest import admin_account
    from mailkit.errors import UsageError
    from mailkit.secrets import secret_kind_for, secret_store
    from mailkit.syncio import run_sync

    workspace = STATE.workspace()
    values = {"sender": email.strip(), "auth": auth, "smtp_host": smtp_host, "smtp_port": smtp_port,
              "security": security, "provider": provider}
    for key, value in values.items():
        if value is not None:
            workspace.set_setting(f"digest.{key}", value)
    account = admin_account(workspace)
    if account is None:
        raise UsageError("give the account's address")
    kind = secret_kind_for(account.auth)
    secret_store(workspace).set(account.email, kind, read_secret(f"{kind.value} for {account.email}"))
    result = run_sync(check_account(account, workspace=workspace))
    if json_out:
        emit_json({"sender": account.email, "smtp_host": account.smtp_host, "smtp_port": account.smtp_port,
                   "status": result.status.value})
    else:
        say(f"the digest goes out through {account.email} ({account.smtp_host}:{account.smtp_port}): "
            f"sign-in {result.status.value}")
    if not result.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(digest_app, name="digest")


__all__ = ["register"]
