"""The `mailkit` command line. Each command group lives in its own module and registers itself here."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import typer

from mailkit.cli.common import STATE
from mailkit.errors import MailkitError
from mailkit.redaction import redact

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
    "demo_cmds",
)


@app.callback()
def _global_options(
    home: Path = typer.Option(None, "--home", envvar="MAILKIT_HOME", help="Workspace folder (default ~/.mailkit)."),
    lang: str = typer.Option(None, "--lang", envvar="MAILKIT_LANG",
                             help="Language of causes and remedies: en, es, pl."),
) -> None:
    if home is not None:
        STATE.home = home.expanduser()
    STATE.lang = lang


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
        typer.echo(f"error: {redact(str(exc))}", err=True)
        sys.exit(exc.exit_code)
