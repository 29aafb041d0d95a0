"""Small keyring backends mailkit ships: in-memory (tests), the sandbox's file of fake secrets, and a
read cache in front of an encrypted file keyring."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from mailkit.files import write_private


class MemoryKeyring(KeyringBackend):
    """Keeps secrets in a dict for the life of the process. For tests."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class SandboxFileKeyring(KeyringBackend):
    """The sandbox's fake secrets in a 0600 JSON file in its state directory.

    Used only in sandbox mode when no real keyring is usable, so the quick start runs on any
    machine. It never holds a real Google secret: real accounts never route to the sandbox.
    The file is parsed again only when it changed (size, mtime, inode: every write replaces it),
    so an audit of a thousand sandbox accounts does not parse it a thousand times.
    """

    priority = 0.5  # type: ignore[assignment]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = Path(path)
        self._lock = threading.Lock()
        self._parsed: tuple[tuple[int, int, int] | None, dict[str, str]] = (None, {})

    def _entries(self) -> dict[str, str]:
        """The file's entries, parsed again only when it changed (call with the lock held; do not change them)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        signature = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        if self._parsed[0] != signature:  # read after the stat: a newer file parsed under an older signature
            try:                          # is only parsed once more
                text = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                return {}
            self._parsed = (signature, json.loads(text))
        return self._parsed[1]

    def _load(self) -> dict[str, str]:
        return dict(self._entries())

    def _save(self, data: dict[str, str]) -> None:
        write_private(self.path, json.dumps(data))
        stat = self.path.stat()
        self._parsed = ((stat.st_size, stat.st_mtime_ns, stat.st_ino), data)

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._entries().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            data = self._load()
            data[f"{service}/{username}"] = password
            self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            data = self._load()
            if data.pop(f"{service}/{username}", None) is None:
                raise PasswordDeleteError("not found")
            self._save(data)


class CachedFileKeyring(KeyringBackend):
    """A file keyring whose reads are decrypted once per process.

    Each entry of an encrypted file keyring is sealed with its own slow key derivation, so an audit
    that reads 200 accounts would spend minutes deriving keys. Values read are kept in memory for
    as long as the file is unchanged (size, mtime and inode): a write by another process empties the
    cache, a write through this backend updates it. Writes are serialised; reads run in parallel.
    """

    priority = 0.5  # type: ignore[assignment]

    def __init__(self, inner: KeyringBackend, path: Path) -> None:
        super().__init__()
        self.inner = inner
        self.path = Path(path)
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], str | None] = {}
        self._seen: tuple[int, int, int] | None = None

    def _signature(self) -> tuple[int, int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_size, stat.st_mtime_ns, stat.st_ino

    def _valid_cache(self) -> dict[tuple[str, str], str | None]:
        """The cache, emptied first when the file changed since it was filled (call with the lock held)."""
        signature = self._signature()
        if signature != self._seen:
            self._cache.clear()
            self._seen = signature
        return self._cache

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            cache = self._valid_cache()
            if (service, username) in cache:
                return cache[(service, username)]
            seen = self._seen
        value = self.inner.get_password(service, username)
        with self._lock:
            cache = self._valid_cache()
            if self._seen == seen:  # the file did not change while this value was read
                cache[(service, username)] = value
        return value

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self.inner.set_password(service, username, password)
            self._valid_cache()[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            self._cache.pop((service, username), None)
            self.inner.delete_password(service, username)
            self._valid_cache()
