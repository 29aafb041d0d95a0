"""`mailkit sandbox`: run the local Gmail until Ctrl-C or SIGTERM; `mailkit sandbox start|status|stop`: the
workspace's one background sandbox, the same the notebooks and the app use.

The contract (DESIGN.md): 127.0.0.1, free ports, DIR/sandbox.json written and the same JSON
printed as one line on stdout once every listener is up; exit 0 on SIGINT/SIGTERM.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import typer

from mailkit.cli.common import STATE
from mailkit.cli.sandbox_age_cmds import register as register_age
from mailkit.errors import UsageError

sandbox_app = typer.Typer(help="The local Gmail sandbox: run it here (no subcommand), or the workspace's "
                          "background sandbox: start, status, stop.", invoke_without_command=True)

StateDirOption = typer.Option(None, "--state-dir", help="Where sandbox.json, ca.pem and the mail go "
                              "(default: <workspace>/sandbox).", file_okay=False)


def register(app: typer.Typer) -> None:
    register_age(sandbox_app)  # `mailkit sandbox age`
    app.add_typer(sandbox_app, name="sandbox")


def _state_dir(state_dir: Path | None) -> Path:
    from mailkit.sandbox.supervisor import state_dir_of

    return state_dir.expanduser().resolve() if state_dir is not None else state_dir_of(STATE.workspace().home)


def _export_hint(info_path: Path | str) -> str:
    return f"export MAILKIT_SANDBOX={shlex.quote(str(info_path))}"


@sandbox_app.callback()
def sandbox_command(
    ctx: typer.Context,
    accounts: Path = typer.Option(None, "--accounts", dir_okay=False,
                                  help="Accounts file (TOML); default: the shipped sample accounts."),
    state_dir: Path = StateDirOption,
    latency_ms: int = typer.Option(0, "--latency-ms", min=0, help="Wait this long before every SMTP/IMAP/HTTP reply."),
    fault: list[str] = typer.Option([], "--fault", metavar="SPEC",
                                    help="Misbehave on purpose (repeatable): latency=MS, stall=POINT:SECONDS, "
                                    "drop-data, tls-reset, directory-rate=N (the Directory's quota a second)."),
) -> None:
    """Start the local Gmail (SMTP 587/465-style, IMAP 993-style, OAuth and Directory endpoints) on 127.0.0.1."""
    if ctx.invoked_subcommand is not None:
        return
    import asyncio

    from mailkit.sandbox import supervisor
    from mailkit.sandbox.faults import Faults
    from mailkit.sandbox.runner import Sandbox
    from mailkit.sandbox.serve import serve

    directory = _state_dir(state_dir)
    found = supervisor.find(directory)
    if found is not None:  # two sandboxes on one state dir would overwrite each other's grants
        raise UsageError(f"a sandbox already runs on {directory} (pid {found.pid}): use it "
                         f"({_export_hint(found.info_path)}) or stop it with `mailkit sandbox stop`")
    faults = Faults(latency_ms=latency_ms)
    for spec in fault:
        faults.apply(spec)
    sandbox = Sandbox(accounts, directory, faults=faults)

    def announce(info: dict) -> None:
        typer.echo(json.dumps(info))
        typer.echo(f"mailkit sandbox is running; in another shell:\n  {_export_hint(sandbox.info_path)}\n"
                   f"Stop it with Ctrl-C.", err=True)

    asyncio.run(serve(sandbox, announce))


@sandbox_app.command("start")
def start_command(
    accounts: Path = typer.Option(None, "--accounts", dir_okay=False,
                                  help="Accounts file (TOML) when it must be started; default: the shipped ones."),
    state_dir: Path = StateDirOption,
) -> None:
    """Make sure the workspace's background sandbox runs (start it if needed); print its sandbox.json as one line."""
    from mailkit.sandbox import supervisor

    directory = _state_dir(state_dir)
    before = supervisor.find(directory)
    running = before or supervisor.ensure(directory, accounts)
    typer.echo(json.dumps(running.info))
    verb = "was already running" if before is not None else "started"
    typer.echo(f"the sandbox {verb} (pid {running.pid}); to use it from a shell:\n  {_export_hint(running.info_path)}\n"
               "Stop it with `mailkit sandbox stop`.", err=True)


@sandbox_app.command("status")
def status_command(state_dir: Path = StateDirOption) -> None:
    """Whether the workspace's sandbox runs: its sandbox.json as one line and exit 0, else exit 1."""
    from mailkit.sandbox import supervisor

    directory = _state_dir(state_dir)
    running = supervisor.find(directory)
    if running is None:
        typer.echo(f"no sandbox runs on {directory}", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(running.info))
    typer.echo(f"the sandbox runs (pid {running.pid}, pages {running.info.get('pages', '')}); "
               f"{_export_hint(running.info_path)}", err=True)


@sandbox_app.command("stop")
def stop_command(state_dir: Path = StateDirOption) -> None:
    """Stop the workspace's background sandbox; its OAuth client, grants and tokens stay for the next start."""
    from mailkit.sandbox import supervisor

    directory = _state_dir(state_dir)
    stopped = supervisor.stop(directory)
    if stopped is None:
        typer.echo(f"no sandbox was running on {directory}", err=True)
        return
    typer.echo(f"stopped the sandbox (pid {stopped.pid}); its grants and tokens stay in {directory}", err=True)


__all__ = ["register"]
