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
from mailkit.files import make_private_dir, write_private

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
        """Create the folder (0700, private to the user) if it does not exist yet; a path that cannot be the
        workspace (a file, a folder that cannot be written) is one clear error, not a traceback."""
        if self.home.exists() and not self.home.is_dir():
            raise UsageError(f"the workspace {self.home} is a file, not a folder: point --home or MAILKIT_HOME "
                             "at a folder")
        try:
            make_private_dir(self.home)
        except OSError as exc:
            raise UsageError(f"cannot create the workspace {self.home}: {exc.strerror or exc}; choose another "
                             "folder with --home or MAILKIT_HOME") from exc
        if not os.access(self.home, os.W_OK | os.X_OK):
            raise UsageError(f"the workspace {self.home} is read-only: make it writable (chmod u+rwx) or choose "
                             "another folder with --home or MAILKIT_HOME")
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
        write_private(self.settings_path, _dump_toml(data))


def _dump_toml(data: dict[str, Any]) -> str:
    """Write the flat two-level TOML mailkit's settings use (JSON quoting is valid TOML for these)."""
    top = [f"{k} = {json.dumps(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [
        f"\n[{name}]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in table.items())
        for name, table in data.items()
        if isinstance(table, dict)
    ]
    return "\n".join(top) + "".join(tables) + "\n"
