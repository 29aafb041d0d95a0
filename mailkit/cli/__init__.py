"""The `mailkit` command line. Each command group lives in its own module and registers itself here."""

from __future__ import annotations

import importlib
import sqlite3
import sys
from pathlib import Path

import typer

from mailkit.cli.common import STATE, say
from mailkit.errors import MailkitError

app = typer.Typer(
    name="mailkit",
    help="Set up, check and audit the Gmail / Google Workspace accounts your client companies send mail through.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Modules under mailkit.cli that each define `register(app)`.
COMMAND_MODULES = (
    "inventory_cmds",
    "secret_cmds",
    "check_cmds",
    "sandbox_cmds",
    "oauth_cmds",
    "twostep_cmds",
    "audit_cmds",
    "report_cmds",
    "demo_cmds",
    "domains_cmds",
    "schedule_cmds",
    "app_cmds",
    "forecast_cmds",
    "digest_cmds",
    "workspace_cmds",
)


#: Commands that start a sandbox of their own: a stale MAILKIT_SANDBOX must not stop them.
_OWN_SANDBOX = frozenset({"sandbox", "demo"})


@app.callback()
def _global_options(
    ctx: typer.Context,
    home: Path = typer.Option(None, "--home", envvar="MAILKIT_HOME", help="Workspace folder (default ~/.mailkit)."),
    lang: str = typer.Option(None, "--lang", envvar="MAILKIT_LANG",
                             help="Language of causes and remedies: en, es, pl."),
) -> None:
    if home is not None:
        STATE.home = home.expanduser()
    STATE.lang = lang
    if ctx.invoked_subcommand not in _OWN_SANDBOX and not _asks_for_help():
        _announce_sandbox()


def _asks_for_help() -> bool:
    """`--help` only prints text: a stale MAILKIT_SANDBOX must not stand between the admin and the help."""
    return any(arg in {"--help", "-h"} for arg in sys.argv[1:])


def _announce_sandbox() -> None:
    """In sandbox mode every command says so on stderr (never on stdout, which --json owns): a MAILKIT_SANDBOX
    left in a shell must not route Google traffic, with the real keyring's secrets, without a word."""
    from mailkit.endpoints import sandbox_info

    info = sandbox_info()  # a sandbox.json that is gone, broken or not on this machine is refused here
    if info is not None:
        say(f"sandbox mode: Google traffic goes to the local sandbox at {info.smtp[0]} "
            f"(MAILKIT_SANDBOX={info.path})", err=True)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"mailkit.cli.{name}").register(app)


_register_all()


def main() -> None:
    """Console entry point: mailkit errors become a one-line message and their exit code (2 for mistakes).

    Typer's standalone mode already turns usage errors into exit code 2 with a usage line.
    """
    try:
        app()
    except MailkitError as exc:
        say(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except sqlite3.Error as exc:  # the workspace file went bad after it was opened (a table dropped, a disk full)
        say(f"error: the workspace database in {STATE.home} failed: {exc}; restore it from a backup or move "
            "it away to start afresh", err=True)
        sys.exit(2)
