"""Secrets (passwords, app passwords, OAuth token bundles) live in keyring and nowhere else.

One service namespace (`mailkit`), keyed by account and kind. The backend is the OS keyring,
or an encrypted file keyring the admin chose in the workspace settings (`keyring.backend =
"cryptfile"`, passphrase from MAILKIT_KEYRING_PASSPHRASE or a prompt). When no backend can work
mailkit says what to choose; it never falls back to plaintext silently. In sandbox mode only,
with no usable backend, the sandbox's fake secrets go to a file in the sandbox's state dir.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

from mailkit.errors import SecretStoreError
from mailkit.secrets.redaction import redact, remember_login
from mailkit.workspace import Workspace

T = TypeVar("T")
SERVICE = "mailkit"
PASSPHRASE_ENV = "MAILKIT_KEYRING_PASSPHRASE"

NO_BACKEND_HELP = (
    "no usable keyring backend on this machine (no desktop keyring / D-Bus). Choose one:\n"
    "  - an encrypted file in the workspace: pip install 'mailkit[cryptfile]', then\n"
    "    `mailkit secret backend cryptfile` and set MAILKIT_KEYRING_PASSPHRASE (or answer the prompt);\n"
    "  - or a desktop keyring (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Locker)."
)


class SecretKind(StrEnum):
    PASSWORD = "password"
    APP_PASSWORD = "app_password"
    OAUTH_TOKEN = "oauth_token"
    DIRECTORY_TOKEN = "directory_token"  # a Workspace admin's own consent to read the Directory (2SV)
    SERVICE_ACCOUNT_KEY = "service_account_key"  # a Workspace domain's delegated service-account key, keyed by domain
    SIGNER_TOKEN = "signer_token"  # an admin's own consent to sign as service accounts (keyless delegation)


def secret_kind_for(auth: str) -> SecretKind:
    """The secret an account signs in with: its app password when its auth says so, else its password.

    >>> secret_kind_for("app_password"), secret_kind_for("password")
    (<SecretKind.APP_PASSWORD: 'app_password'>, <SecretKind.PASSWORD: 'password'>)
    """
    return SecretKind.APP_PASSWORD if auth == "app_password" else SecretKind.PASSWORD


def login_secret(kind: SecretKind | str, value: str) -> str:
    """The secret as sign-in takes it: Google shows app passwords in groups with spaces, sign-in wants none.

    >>> login_secret(SecretKind.APP_PASSWORD, "abcd efgh ijkl mnop"), login_secret("password", "a b")
    ('abcdefghijklmnop', 'a b')
    """
    return value.replace(" ", "") if SecretKind(kind) is SecretKind.APP_PASSWORD else value


class SecretStore:
    """Read and write one account's secrets in a keyring backend."""

    def __init__(self, backend: KeyringBackend):
        self.backend = backend

    @staticmethod
    def _key(email: str, kind: SecretKind | str) -> str:
        return f"{email.strip().lower()}/{SecretKind(kind).value}"

    def get(self, email: str, kind: SecretKind | str) -> str | None:
        try:
            value = self.backend.get_password(SERVICE, self._key(email, kind))
        except (KeyringError, ValueError, EOFError) as exc:
            raise _store_error("read from", exc) from exc
        _remember_for(email, value)
        return value

    def set(self, email: str, kind: SecretKind | str, value: str) -> None:
        _remember_for(email, value)
        try:
            self.backend.set_password(SERVICE, self._key(email, kind), value)
        except (KeyringError, ValueError, EOFError) as exc:
            raise _store_error("write to", exc) from exc

    def delete(self, email: str, kind: SecretKind | str) -> bool:
        """Remove one secret; False when there was none."""
        try:
            self.backend.delete_password(SERVICE, self._key(email, kind))
        except PasswordDeleteError:
            return False
        except (KeyringError, ValueError, EOFError) as exc:
            raise _store_error("delete from", exc) from exc
        return True

    def get_json(self, email: str, kind: SecretKind | str) -> dict[str, Any] | None:
        raw = self.get(email, kind)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):  # no detail from the parser: it would quote the secret
            raise SecretStoreError(f"the stored {SecretKind(kind).value} of {email} is damaged: delete it with "
                                   f"`mailkit secret clear {email}` and set it again")
        for value in data.values():
            if isinstance(value, str):
                _remember_for(email, value)
        return data

    def set_json(self, email: str, kind: SecretKind | str, data: dict[str, Any]) -> None:
        for value in data.values():
            if isinstance(value, str) and len(value) >= 16:
                _remember_for(email, value)
        self.set(email, kind, json.dumps(data))

    def clear(self, email: str) -> list[str]:
        """Remove every kind of secret for an account; the kinds that were there."""
        return [kind.value for kind in SecretKind if self.delete(email, kind)]


def _store_error(action: str, exc: Exception) -> SecretStoreError:
    """The backend's complaint, redacted: a backend may quote what it was given."""
    return SecretStoreError(f"cannot {action} the keyring: {type(exc).__name__}: {redact(exc)}")


def _remember_for(email: str, value: str | None) -> None:
    if value and not value.lstrip().startswith("{"):
        for variant in {value, value.replace(" ", "")}:
            remember_login(email.strip().lower(), variant)


def backend_usable(backend: KeyringBackend) -> bool:
    """Whether keyring's automatic choice can be used as it is.

    Not keyring's fail backend (a machine without a desktop keyring), and not a file keyring
    that keyring's chainer picked only because its package is installed: keyrings.cryptfile
    would prompt for its passphrase on the terminal (mailkit unlocks it itself when the admin
    chooses `keyring.backend = "cryptfile"`), and keyrings.alt's plaintext file is acceptable
    only when chosen knowingly through PYTHON_KEYRING_BACKEND.
    """
    from keyring.backends import fail

    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return False
    module = type(backend).__module__
    if module.startswith("keyrings.cryptfile"):
        return False
    return not module.startswith("keyrings.alt") or bool(os.environ.get("PYTHON_KEYRING_BACKEND"))


_resolve_lock = threading.Lock()
#: Keyring reads get threads of their own: an encrypted file's slow key derivation, queued for hundreds of
#: accounts, must never hold up the event loop's shared executor, where DNS look-ups run (they timed out).
_KEYRING_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mailkit-keyring")


async def in_keyring_thread(function: Callable[..., T], *args: Any) -> T:
    """Run a blocking keyring call (a read, a store lookup) in the keyring's own threads."""
    import asyncio

    return await asyncio.get_running_loop().run_in_executor(_KEYRING_THREADS, functools.partial(function, *args))


def reads_in_memory(store: SecretStore) -> bool:
    """Whether the store's reads are lookups in memory (mailkit's in-memory keyring, the sandbox's file once
    parsed), which an event loop may do itself: not worth a thread hop per account. Exactly those classes:
    a subclass may read any way it likes."""
    from mailkit.secrets.backends import MemoryKeyring, SandboxFileKeyring

    return type(store.backend) in (MemoryKeyring, SandboxFileKeyring)


async def read_secret(store: SecretStore, email: str, kind: SecretKind | str) -> str | None:
    """`store.get` from async code: in the keyring's threads, unless the store reads from memory."""
    if reads_in_memory(store):
        return store.get(email, kind)
    return await in_keyring_thread(store.get, email, kind)
_unlocked: dict[tuple[str, str], KeyringBackend] = {}


def system_backend() -> KeyringBackend | None:
    """The backend keyring chose, or the first usable one inside its chainer; None when none is usable.

    keyring detects its backend on first use by walking its entry points, which is not thread-safe
    (an audit's workers asking at once crashed with "Set changed size during iteration", or saw no
    backend at all): the first detection happens under a lock, and keyring keeps the result.
    """
    from keyring.backends.chainer import ChainerBackend

    with _resolve_lock:
        chosen = keyring.get_keyring()
        candidates = chosen.backends if isinstance(chosen, ChainerBackend) else [chosen]
        return next((b for b in candidates if backend_usable(b)), None)


def secret_store(workspace: Workspace | None = None) -> SecretStore:
    """The store for this workspace, following its `keyring.backend` setting."""
    workspace = workspace or Workspace()
    choice = str(workspace.setting("keyring.backend", "system")).lower()
    if choice == "cryptfile":
        return SecretStore(_cryptfile_backend(workspace))
    if choice not in {"system", "auto"}:
        raise SecretStoreError(f"settings: keyring.backend = {choice!r} is not known; use 'system' or 'cryptfile'")
    backend = system_backend()
    if backend is not None:
        return SecretStore(backend)
    from mailkit.endpoints import sandbox_info

    info = sandbox_info()
    if info is not None:
        from mailkit.secrets.backends import SandboxFileKeyring

        return SecretStore(SandboxFileKeyring(info.state_dir / "sandbox-secrets.json"))
    raise SecretStoreError(NO_BACKEND_HELP)


def _cryptfile_backend(workspace: Workspace) -> KeyringBackend:
    """keyrings.cryptfile's encrypted file in the workspace, unlocked once per process and passphrase.

    Every entry of that file is sealed with its own Argon2-derived key, so each read costs a
    deliberately slow derivation: reads go through `CachedFileKeyring`, which decrypts each entry
    once and reads again only when the file changed (another process wrote to it).
    """
    path = str(workspace.ensure().home / "secrets.cfg")
    given = os.environ.get(PASSPHRASE_ENV) or ""
    with _resolve_lock:
        if (path, given) in _unlocked:  # unlocked before in this process (with this passphrase, or the prompt's)
            return _unlocked[(path, given)]
        from mailkit.secrets.backends import CachedFileKeyring

        backend = CachedFileKeyring(_unlock_cryptfile(path, given or _prompt_passphrase()), Path(path))
        _unlocked[(path, given)] = backend
        return backend


def _prompt_passphrase() -> str:
    if not sys.stdin.isatty():
        raise SecretStoreError(f"the encrypted keyring is locked: set {PASSPHRASE_ENV} to its passphrase")
    import getpass

    return getpass.getpass("Passphrase of mailkit's encrypted keyring: ")


def _unlock_cryptfile(path: str, passphrase: str) -> KeyringBackend:
    try:
        from keyrings.cryptfile.cryptfile import CryptFileKeyring
    except ImportError as exc:
        raise SecretStoreError("keyring.backend = 'cryptfile' needs: pip install 'mailkit[cryptfile]'") from exc
    backend = CryptFileKeyring()
    backend.file_path = path
    try:
        backend.keyring_key = passphrase
    except ValueError as exc:  # "MAC check failed"
        raise SecretStoreError(f"wrong passphrase for the encrypted keyring {backend.file_path}: "
                               f"check {PASSPHRASE_ENV}") from exc
    return backend


__all__ = ["SERVICE", "SecretKind", "SecretStore", "backend_usable", "in_keyring_thread", "login_secret", "read_secret",
           "reads_in_memory", "redact", "secret_kind_for", "secret_store"]
