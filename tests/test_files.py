"""write_private: owner-only (0600) files, replaced atomically, nothing left behind on failure."""

from __future__ import annotations

import json
import os
import stat

import pytest

from mailkit.files import write_private
from mailkit.secrets.backends import SandboxFileKeyring


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_file_is_owner_only(tmp_path):
    path = write_private(tmp_path / "secret.json", "{}\n")
    assert path.read_text(encoding="utf-8") == "{}\n" and _mode(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.json"]


def test_replacing_a_readable_file_leaves_it_owner_only(tmp_path):
    path = tmp_path / "client.json"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    write_private(path, "new")
    assert path.read_text(encoding="utf-8") == "new" and _mode(path) == 0o600


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "keys.json"
    write_private(path, "old")
    with pytest.raises(UnicodeEncodeError):
        write_private(path, "bad \udcff surrogate")
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys.json"]


def test_sandbox_file_keyring_keeps_its_file_owner_only(tmp_path):
    backend = SandboxFileKeyring(tmp_path / "sandbox-secrets.json")
    backend.set_password("mailkit", "a@example.com/password", "not-a-real-secret")
    assert _mode(backend.path) == 0o600
    stored = json.loads(backend.path.read_text(encoding="utf-8"))
    assert stored == {"mailkit/a@example.com/password": "not-a-real-secret"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sandbox-secrets.json"]


def test_sandbox_file_keyring_parses_its_file_again_only_when_it_changed(tmp_path, monkeypatch):
    """A thousand reads of an unchanged file parse it once; a write by another instance is seen at the next read."""
    path = tmp_path / "sandbox-secrets.json"
    writer, reader = SandboxFileKeyring(path), SandboxFileKeyring(path)
    writer.set_password("mailkit", "a@example.com/password", "first-value")
    parsed = []
    real_loads = json.loads
    monkeypatch.setattr("mailkit.secrets.backends.json.loads", lambda text: parsed.append(1) or real_loads(text))
    assert all(reader.get_password("mailkit", "a@example.com/password") == "first-value" for _ in range(1000))
    assert parsed == [1]
    writer.set_password("mailkit", "a@example.com/password", "second-value-longer")
    assert reader.get_password("mailkit", "a@example.com/password") == "second-value-longer"
    assert reader.get_password("mailkit", "b@example.com/password") is None
    path.unlink()
    assert reader.get_password("mailkit", "a@example.com/password") is None
