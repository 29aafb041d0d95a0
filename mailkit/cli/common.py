"""What every `mailkit` command shares: the workspace, the language, output and error handling."""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from mailkit.inventory import Inventory
from mailkit.models import Account, insecure_settings
from mailkit.sanitize import for_terminal, json_safe
from mailkit.secrets import redact
from mailkit.workspace import Workspace, default_home


@dataclass
class CliState:
    """Global options given before the command (`mailkit --home DIR --lang es check ...`)."""

    home: Path = field(default_factory=default_home)
    lang: str | None = None

    def workspace(self) -> Workspace:
        return Workspace(self.home)


STATE = CliState()

JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON on stdout.")


def open_inventory() -> Inventory:
    """The inventory of the workspace the global options chose (`--home`, MAILKIT_HOME, ~/.mailkit)."""
    return Inventory.open(STATE.workspace())


def warn_insecure(accounts: list[Account]) -> None:
    """One line on stderr per Google/Microsoft account whose settings expose its password (allowed or not)."""
    for account in accounts:
        problems = insecure_settings(account)
        if problems:
            how = "allowed with --allow-insecure" if account.allow_insecure else "NOT allowed: fix its servers"
            say(f"warning: {account.email}: {'; '.join(why for _, why in problems)} ({how})", err=True)


def emit_json(data: Any) -> None:
    """Print strict JSON (redacted) on stdout: a missing value is null, never NaN or Infinity, which strict
    parsers (and most languages but Python's) refuse. Control characters stay escaped, as JSON escapes them."""
    typer.echo(json_safe(redact(json.dumps(json_ready(data), ensure_ascii=False, indent=2, allow_nan=False))))


def json_ready(value: Any) -> Any:
    """Plain JSON values: NaN, NaT, pandas' NA and infinities become None; numpy scalars their Python value;
    dates ISO 8601; anything else its text."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_ready(v) for v in value]
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "isoformat"):  # datetime, date, pandas' Timestamp (NaT has no valid isoformat)
        return None if str(value) == "NaT" else value.isoformat()
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return json_ready(value.item())
    if type(value).__name__ in {"NAType", "NaTType"}:
        return None
    return str(value)


def say(text: str = "", *, err: bool = False) -> None:
    """Print a line for the admin, redacted, with control characters (terminal escapes) shown escaped."""
    typer.echo(for_terminal(redact(text)), err=err)


def tty_colors() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
