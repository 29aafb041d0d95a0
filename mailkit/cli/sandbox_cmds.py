"""`mailkit sandbox`: run the local Gmail until Ctrl-C or SIGTERM.

The contract (DESIGN.md): 127.0.0.1, free ports, DIR/sandbox.json written and the same JSON
printed as one line on stdout once every listener is up; exit 0 on SIGINT/SIGTERM.
"""

from __future__ import annotations

import json
import shlex
import signal
from pathlib import Path

import typer

from mailkit.cli.common import STATE
from mailkit.cli.sandbox_age_cmds import register as register_age


def register(app: typer.Typer) -> None:
    group = typer.Typer(help=sandbox_command.__doc__)
    group.callback(invoke_without_command=True)(sandbox_command)
    register_age(group)  # `mailkit sandbox age`
    app.add_typer(group, name="sandbox")


def sandbox_command(
    ctx: typer.Context,
    accounts: Path = typer.Option(None, "--accounts", dir_okay=False,
                                  help="Accounts file (TOML); default: the shipped sample accounts."),
    state_dir: Path = typer.Option(None, "--state-dir", help="Where sandbox.json, ca.pem and the mail go "
                                   "(default: <workspace>/sandbox).", file_okay=False),
    latency_ms: int = typer.Option(0, "--latency-ms", min=0, help="Wait this long before every SMTP/IMAP/HTTP reply."),
    fault: list[str] = typer.Option([], "--fault", metavar="SPEC",
                                    help="Misbehave on purpose (repeatable): latency=MS, stall=POINT:SECONDS, "
                                    "drop-data, tls-reset."),
) -> None:
    """Start the local Gmail (SMTP 587/465-style, IMAP 993-style, OAuth and Directory endpoints) on 127.0.0.1."""
    if ctx.invoked_subcommand is not None:
        return
    import asyncio

    from mailkit.sandbox.faults import Faults
    from mailkit.sandbox.runner import Sandbox

    faults = Faults(latency_ms=latency_ms)
    for spec in fault:
        faults.apply(spec)
    directory = state_dir if state_dir is not None else STATE.workspace().home / "sandbox"
    sandbox = Sandbox(accounts, directory.expanduser(), faults=faults)
    asyncio.run(_serve(sandbox))


async def _serve(sandbox) -> None:  # noqa: ANN001 - a mailkit.sandbox.runner.Sandbox, imported lazily
    """Start, announce, wait for a signal, stop."""
    import asyncio

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    info = await sandbox.start()
    try:
        typer.echo(json.dumps(info))
        typer.echo(f"mailkit sandbox is running; in another shell:\n"
                   f"  export MAILKIT_SANDBOX={shlex.quote(str(sandbox.info_path))}\n"
                   f"Stop it with Ctrl-C.", err=True)
        await stop.wait()
    finally:
        await sandbox.stop()


__all__ = ["register"]
