"""msal's token cache for one Microsoft account, kept in keyring through mailkit's token store — never in a file.

The keyring entry is the account's `oauth_token` secret, like a Google bundle: the serialized msal
cache plus, at the top level, the current refresh and access tokens and the access token's expiry
(so `TokenBundle` readers — `configured()`, the freshness test — work unchanged, and the secret
store masks them in every output). Every secret inside the cache is registered with the redactor too.
"""

from __future__ import annotations

import json
from typing import Any

from mailkit.oauth.store import TokenBundle, parse_time
from mailkit.secrets.redaction import remember
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.workspace import Workspace

PROVIDER = "microsoft"


def new_cache(serialized: str = "") -> Any:
    """An msal SerializableTokenCache, filled from an earlier `serialize()` when given."""
    import msal

    cache = msal.SerializableTokenCache()
    if serialized:
        cache.deserialize(serialized)
        _remember_secrets(cache)
    return cache


def load_cache(workspace: Workspace, email: str) -> tuple[Any, dict[str, Any]] | None:
    """(msal cache, meta) of a Microsoft account; None when nothing (or a Google bundle) is stored."""
    data = secret_store(workspace).get_json(email, SecretKind.OAUTH_TOKEN)
    if not data or not isinstance(data.get("msal_cache"), str):
        return None
    return new_cache(data["msal_cache"]), dict(data.get("meta") or {})


def load_bundle_view(workspace: Workspace, email: str) -> TokenBundle | None:
    """The top-level tokens of the stored entry, as a TokenBundle (for the freshness test)."""
    data = secret_store(workspace).get_json(email, SecretKind.OAUTH_TOKEN)
    return TokenBundle.from_json(data) if data and isinstance(data.get("msal_cache"), str) else None


def save_cache(workspace: Workspace, email: str, cache: Any, result: dict[str, Any],
               meta: dict[str, Any]) -> TokenBundle:
    """Keep the cache after a token was acquired (`result` is msal's answer); the bundle view of it."""
    _remember_secrets(cache)
    refresh = str(result.get("refresh_token") or _cached_refresh_token(cache))
    expiry = parse_time(result["expires_at"]) if result.get("expires_at") else None
    if expiry is None and result.get("expires_in"):
        import time

        expiry = parse_time(time.time() + float(result["expires_in"]))
    bundle = TokenBundle(refresh, str(result.get("access_token") or ""), expiry, str(meta.get("client_id") or ""),
                         tuple(meta.get("scopes") or ()), str(meta.get("authorized_email") or ""))
    data = bundle.to_json()
    data["meta"].update({k: v for k, v in meta.items() if k not in data["meta"]}, provider=PROVIDER)
    data["msal_cache"] = cache.serialize()
    secret_store(workspace).set_json(email, SecretKind.OAUTH_TOKEN, data)
    return bundle


def _cached_refresh_token(cache: Any) -> str:
    tokens = cache.find(cache.CredentialType.REFRESH_TOKEN)
    return str(tokens[0].get("secret") or "") if tokens else ""


def _remember_secrets(cache: Any) -> None:
    """Mask every token in the cache wherever mailkit writes text (logs, transcripts, exceptions)."""
    raw = json.loads(cache.serialize() or "{}")
    for section in ("AccessToken", "RefreshToken", "IdToken"):
        for entry in (raw.get(section) or {}).values():
            remember(entry.get("secret"))


__all__ = ["PROVIDER", "load_bundle_view", "load_cache", "new_cache", "save_cache"]
