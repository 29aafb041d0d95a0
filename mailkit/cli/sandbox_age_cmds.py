"""`mailkit sandbox age EMAIL`: make a sandbox account's OAuth grants and app passwords N days old, mark its
grants as issued by an OAuth client in Testing, or date a password change — then see what Google does at that
age (mailkit.sandbox.aging)."""

from __future__ import annotations

from pathlib import Path

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, say


def age_command(
    email: str = typer.Argument(..., help="The sandbox account."),
    days: float = typer.Option(None, "--days", help="Its grants, access tokens and app passwords were issued this "
                               "many days ago (and not used since)."),
    testing: bool = typer.Option(None, "--testing/--published", help="Its grants came from an OAuth client in "
                                 "Testing (they die 7 days after issue) or a published one."),
    password_changed: float = typer.Option(None, "--password-changed", metavar="DAYS", help="Its password changed "
                                           "this many days ago (app passwords and grants older than that die)."),
    state_dir: Path = typer.Option(None, "--state-dir", file_okay=False, help="The sandbox's folder (default: the "
                                   "one MAILKIT_SANDBOX names, else <workspace>/sandbox)."),
    json_out: bool = JsonOption,
) -> None:
    """Move a sandbox account back in time (a running sandbox takes it at once; a stopped one when it starts)."""
    import os

    from mailkit.sandbox.aging import Aging, age

    folder = state_dir
    if folder is None and os.environ.get("MAILKIT_SANDBOX"):
        folder = Path(os.environ["MAILKIT_SANDBOX"]).parent
    folder = (folder or STATE.workspace().home / "sandbox").expanduser()
    aging = Aging(email, days, testing, password_changed)
    grants, running = age(aging, folder)
    if json_out:
        emit_json({**aging.to_dict(), "grants": grants, "running": running, "state_dir": str(folder)})
        return
    where = "the running sandbox" if running else f"the sandbox state in {folder} (used when it starts)"
    say(f"{email}: {grants} grant(s) aged in {where}")


def register(sandbox_group: typer.Typer) -> None:
    sandbox_group.command("age")(age_command)


__all__ = ["register"]
