"""A Workspace domain's service-account key (domain-wide delegation), validated and kept in keyring.

The key JSON Google Cloud console downloads (IAM & Admin → Service accounts → Keys → Add key → JSON) holds a
private key: mailkit keeps it in keyring under the domain (`SecretKind.SERVICE_ACCOUNT_KEY`), never in SQLite,
settings or any output, and its `repr` shows only what may be shown (service-account email, client ID).

The keyless form, where Google signs on a signer's request and no key exists, is
`mailkit.google_workspace.keyless`; a key suits unattended machines with no second credential to keep alive.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mailkit.errors import UsageError
from mailkit.secrets.redaction import remember
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.workspace import Workspace

KIND = SecretKind.SERVICE_ACCOUNT_KEY
_CONSOLE = "https://console.cloud.google.com/iam-admin/serviceaccounts"
_REQUIRED = ("client_email", "client_id", "private_key", "token_uri")


@dataclass(frozen=True)
class ServiceAccountKey:
    """A service-account key; `info` (with the private key) stays out of repr and of every output."""

    client_email: str
    client_id: str
    private_key_id: str
    project_id: str
    info: dict[str, Any] = field(repr=False)

    def describe(self) -> dict[str, str]:
        """What may be shown: everything but the key."""
        return {"service_account": self.client_email, "client_id": self.client_id, "project_id": self.project_id}


def parse_key(data: object, source: str = "service-account key", *, load: bool = True) -> ServiceAccountKey:
    """Validate a service-account JSON; a UsageError of one line that says which file to download instead.
    `load=False` skips loading the private key (~30 ms of RSA checks): for the key kept in keyring, which was
    loaded when it was stored."""
    if isinstance(data, dict) and ("installed" in data or "web" in data):
        raise UsageError(f"{source}: this is an OAuth client JSON, not a service-account key: in {_CONSOLE} open "
                         "the service account → Keys → Add key → Create new key → JSON, and give that file")
    if not isinstance(data, dict) or data.get("type") != "service_account":
        raise UsageError(f"{source}: not a service-account key (expected \"type\": \"service_account\"): download "
                         f"a JSON key in {_CONSOLE} → the service account → Keys → Add key")
    missing = [name for name in _REQUIRED if not str(data.get(name) or "").strip()]
    if missing:
        raise UsageError(f"{source}: the service-account key lacks {', '.join(missing)}: download a new JSON key")
    if load:
        _check_private_key(str(data["private_key"]), source)
    remember(str(data["private_key"]))
    return ServiceAccountKey(str(data["client_email"]).strip(), str(data["client_id"]).strip(),
                             str(data.get("private_key_id") or ""), str(data.get("project_id") or ""), dict(data))


def _check_private_key(pem: str, source: str) -> None:
    from cryptography.hazmat.primitives import serialization

    try:
        serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise UsageError(f"{source}: the private_key cannot be read (damaged or edited file): download a new JSON "
                         "key") from None


def load_key_file(path: str | os.PathLike[str]) -> ServiceAccountKey:
    """Read and validate a key file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file: give the service account's JSON key") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({type(exc).__name__}): give the service account's JSON key") \
            from None
    return load_key_text(raw, str(path))


def load_key_text(content: str | bytes, source: str = "service-account key") -> ServiceAccountKey:
    """Validate a key given as its JSON text: what a file upload in the widgets holds, so the key goes to keyring
    without ever being written to disk in clear."""
    try:
        data = json.loads(content.decode("utf-8") if isinstance(content, bytes) else content)
    except (UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"{source}: not a JSON file ({type(exc).__name__}): give the service account's JSON key") \
            from None
    return parse_key(data, source)


def save_key(workspace: Workspace, domain: str, key: ServiceAccountKey) -> None:
    """Keep the key in keyring under the domain (replacing an earlier one)."""
    secret_store(workspace).set(domain.lower(), KIND, json.dumps(key.info))


def load_key(workspace: Workspace, domain: str) -> ServiceAccountKey | None:
    """The domain's key from keyring; None when there is none."""
    raw = secret_store(workspace).get(domain.lower(), KIND)
    if raw is None:
        return None
    try:
        return parse_key(json.loads(raw), f"the service-account key of {domain} in keyring", load=False)
    except ValueError:
        raise UsageError(f"the service-account key of {domain} in keyring is damaged: run `mailkit workspace "
                         f"connect {domain} --service-account KEY.json` again") from None


def has_key(workspace: Workspace, domain: str) -> bool:
    """Whether keyring holds a key for the domain (read, not parsed)."""
    return secret_store(workspace).get(domain.lower(), KIND) is not None


def delete_key(workspace: Workspace, domain: str) -> bool:
    """Remove the domain's key from keyring; False when there was none."""
    return secret_store(workspace).delete(domain.lower(), KIND)


__all__ = ["KIND", "ServiceAccountKey", "delete_key", "has_key", "load_key", "load_key_file", "load_key_text",
           "parse_key", "save_key"]
