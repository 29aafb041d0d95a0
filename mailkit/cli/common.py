"""What every `mailkit` command shares: the workspace, the language, output and error handling."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from mailkit.redaction import redact
from mailkit.sanitize import for_terminal, json_safe
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


def emit_json(data: Any) -> None:
    """Print JSON (redacted) on stdout; control characters stay escaped, as JSON escapes them."""
    typer.echo(json_safe(redact(json.dumps(data, ensure_ascii=False, indent=2, default=str))))


def say(text: str = "", *, err: bool = False) -> None:
    """Print a line for the admin, redacted, with control characters (terminal escapes) shown escaped."""
    typer.echo(for_terminal(redact(text)), err=err)


def tty_colors() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
