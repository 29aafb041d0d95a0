"""Where mailkit keeps its files: the workspace (SQLite inventory, settings, OAuth client).

The workspace is `--home DIR`, else `$MAILKIT_HOME`, else `~/.mailkit`. Settings are a small
TOML file so an admin can read and edit them by hand; they never hold a secret.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mailkit.errors import UsageError

SETTINGS_FILE = "settings.toml"
DATABASE_FILE = "mailkit.sqlite3"


def default_home() -> Path:
    """The workspace used when neither --home nor MAILKIT_HOME is given."""
    env = os.environ.get("MAILKIT_HOME")
    return Path(env).expanduser() if env else Path.home() / ".mailkit"


@dataclass
class Workspace:
    """One admin's working folder: the inventory database and the settings beside it."""

    home: Path = field(default_factory=default_home)

    def __post_init__(self) -> None:
        self.home = Path(self.home).expanduser()

    @property
    def db_path(self) -> Path:
        return self.home / DATABASE_FILE

    @property
    def settings_path(self) -> Path:
        return self.home / SETTINGS_FILE

    @property
    def oauth_client_path(self) -> Path:
        return self.home / "oauth_client.json"

    def ensure(self) -> Workspace:
        """Create the folder (private to the user) if it does not exist yet."""
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self

    def settings(self) -> dict[str, Any]:
        """The settings as a dict; an empty dict when there is no settings file."""
        if not self.settings_path.exists():
            return {}
        try:
            return tomllib.loads(self.settings_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"{self.settings_path}: not valid TOML ({exc}); fix or delete the file") from exc

    def setting(self, dotted: str, default: Any = None) -> Any:
        """One setting by dotted name, e.g. ``keyring.backend``."""
        node: Any = self.settings()
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def set_setting(self, dotted: str, value: str | int | bool) -> None:
        """Set one setting (tables one level deep) and rewrite the file."""
        data = self.settings()
        section, _, key = dotted.rpartition(".")
        target = data.setdefault(section, {}) if section else data
        target[key] = value
        self.ensure()
        self.settings_path.write_text(_dump_toml(data), encoding="utf-8")


def _dump_toml(data: dict[str, Any]) -> str:
    """Write the flat two-level TOML mailkit's settings use (JSON quoting is valid TOML for these)."""
    top = [f"{k} = {json.dumps(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [
        f"\n[{name}]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in table.items())
        for name, table in data.items()
        if isinstance(table, dict)
    ]
    return "\n".join(top) + "".join(tables) + "\n"
