"""`mailkit secret set/clear/backend`: passwords and app passwords into keyring, never anywhere else."""

from __future__ import annotations

import sys

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, open_inventory, say
from mailkit.errors import UsageError
from mailkit.inventory import Inventory

secret_app = typer.Typer(help="Passwords and app passwords (kept in keyring only).", no_args_is_help=True)


def read_secret(prompt: str) -> str:
    """A hidden prompt on a terminal; the first line of stdin otherwise (for scripts)."""
    if sys.stdin.isatty():
        return typer.prompt(prompt, hide_input=True)
    line = sys.stdin.readline()
    if not line.strip():
        raise UsageError("no secret on standard input: pipe it in, e.g. `... | mailkit secret set EMAIL`")
    return line.rstrip("\r\n")


@secret_app.command("set")
def secret_set(
    email: str = typer.Argument(..., help="The account."),
    no_test: bool = typer.Option(False, "--no-test", help="Store without a test sign-in first."),
    json_out: bool = JsonOption,
) -> None:
    """Store the account's app password (or password). Hidden prompt, or stdin when not a terminal."""
    from mailkit.secrets import set_account_secret

    with open_inventory() as inventory:
        account = inventory.account(email)
        if account.auth == "oauth2":
            raise UsageError(f"{account.email} signs in with OAuth 2.0: run `mailkit oauth login {account.email}`")
        label = "App password (16 letters)" if account.auth == "app_password" else "Password"
        outcome = set_account_secret(inventory, account, read_secret(f"{label} for {account.email}"),
                                     test=not no_test, workspace=STATE.workspace(), lang=STATE.lang)
    if json_out:
        emit_json(outcome.to_dict())
    else:
        say(outcome.message)
    if not outcome.stored:
        raise typer.Exit(1)


def clear_secrets(inventory: Inventory, email: str) -> list[str]:
    """Delete every secret of the account from keyring and the facts about them; the kinds that were there."""
    from mailkit.secrets import secret_store

    cleared = secret_store(STATE.workspace()).clear(email)
    inventory.forget_secret(email)
    return cleared


@secret_app.command("clear")
def secret_clear(email: str = typer.Argument(...), json_out: bool = JsonOption) -> None:
    """Delete every secret of an account from keyring (passwords, app passwords, OAuth tokens)."""
    with open_inventory() as inventory:
        account = inventory.account(email)
        cleared = clear_secrets(inventory, account.email)
    if json_out:
        emit_json({"email": account.email, "cleared": cleared})
    else:
        say(f"cleared {', '.join(cleared)} for {account.email}" if cleared else f"no secret stored for {account.email}")


@secret_app.command("backend")
def secret_backend(
    name: str = typer.Argument(..., help="'system' (the OS keyring) or 'cryptfile' (encrypted file in the workspace)."),
) -> None:
    """Choose where secrets are kept on this machine."""
    from mailkit.secrets import secret_store

    if name not in {"system", "cryptfile"}:
        raise UsageError("choose 'system' or 'cryptfile'")
    STATE.workspace().set_setting("keyring.backend", name)
    store = secret_store(STATE.workspace())
    say(f"secrets now go to {type(store.backend).__module__}.{type(store.backend).__name__}")


def register(app: typer.Typer) -> None:
    app.add_typer(secret_app, name="secret")


__all__ = ["clear_secrets", "read_secret", "register"]
