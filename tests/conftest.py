"""Shared fixtures: an in-memory keyring for every test, a fresh workspace, the sandbox."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest

from mailkit.secrets.backends import MemoryKeyring
from mailkit.workspace import Workspace
from tests.dns_fixtures import *  # noqa: F401,F403
from tests.dovecot_fixtures import *  # noqa: F401,F403
from tests.hostile_servers import *  # noqa: F401,F403
from tests.sandbox_fixtures import *  # noqa: F401,F403

pytest_plugins = ["tests.leak_scan", "tests.company_ca"]


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    """Every test gets its own in-memory keyring; nothing reaches the machine's keyring."""
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv("MAILKIT_SANDBOX", raising=False)
    monkeypatch.delenv("MAILKIT_LANG", raising=False)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A fresh workspace folder, also exported as MAILKIT_HOME for code that reads the environment."""
    home = tmp_path / "home"
    monkeypatch.setenv("MAILKIT_HOME", str(home))
    return Workspace(home).ensure()
