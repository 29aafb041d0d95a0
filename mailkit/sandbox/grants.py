"""The sandbox's OAuth state: authorization codes, refresh and access tokens, shared by its
HTTP side (which issues them) and its SMTP/IMAP side (which accepts or refuses them).

Tests reach in through `revoke_account` and `expire_access_tokens` to model what a user or
Google does to a grant.

Given a file, the registry keeps its grants and live access tokens there (0600, rewritten after
every change) and reads them back when a sandbox starts again on the same state dir: tokens
issued before a restart stay valid, as Google's do. Authorization codes (ten minutes of life,
redeemed at once) stay in memory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mailkit.files import write_private

ACCESS_TOKEN_LIFETIME = 3599
GRANTS_FILE = "oauth_grants.json"
log = logging.getLogger(__name__)


@dataclass
class Grant:
    """One consent: who, which client, which scopes; a refresh token belongs to it."""

    email: str
    client_id: str
    scopes: tuple[str, ...]
    refresh_token: str
    revoked: bool = False
    created: float = field(default_factory=time.time)


@dataclass
class PendingCode:
    """An authorization code waiting for the token exchange."""

    grant: Grant
    redirect_uri: str
    code_challenge: str
    code_challenge_method: str
    expires: float


@dataclass
class AccessToken:
    token: str
    grant: Grant
    expires: float

    @property
    def valid(self) -> bool:
        return not self.grant.revoked and time.time() < self.expires


class GrantRegistry:
    """Thread-safe store of everything the sandbox's OAuth side has handed out (kept in `path` when given)."""

    def __init__(self, access_lifetime: int = ACCESS_TOKEN_LIFETIME, path: Path | None = None):
        self._lock = threading.Lock()
        self._codes: dict[str, PendingCode] = {}
        self._refresh: dict[str, Grant] = {}
        self._access: dict[str, AccessToken] = {}
        self.access_lifetime = access_lifetime
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self._load(self.path)

    def _load(self, path: Path) -> None:
        """The grants and access tokens of an earlier run; a missing or unreadable file is an empty start."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            grants = [Grant(g["email"], g["client_id"], tuple(g["scopes"]), g["refresh_token"], bool(g["revoked"]),
                            float(g["created"])) for g in raw["grants"]]
            access = [AccessToken(t["token"], grants[int(t["grant"])], float(t["expires"]))
                      for t in raw["access_tokens"]]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            log.warning("sandbox grants in %s not read (%s): starting with none", path, type(exc).__name__)
            return
        self._refresh = {g.refresh_token: g for g in grants if g.refresh_token}
        self._access = {t.token: t for t in access}

    def _save(self) -> None:
        """Write every grant and every unexpired access token; called with the lock held, after a change."""
        if self.path is None:
            return
        now = time.time()
        live = [t for t in self._access.values() if t.expires > now]
        grants = list({id(g): g for g in [*self._refresh.values(), *(t.grant for t in live)]}.values())
        index = {id(g): i for i, g in enumerate(grants)}
        data: dict[str, Any] = {
            "grants": [{**asdict(g), "scopes": list(g.scopes)} for g in grants],
            "access_tokens": [{"token": t.token, "grant": index[id(t.grant)], "expires": t.expires} for t in live],
        }
        write_private(self.path, json.dumps(data, indent=1) + "\n")

    def issue_code(self, email: str, client_id: str, scopes: tuple[str, ...], redirect_uri: str,
                   code_challenge: str = "", code_challenge_method: str = "") -> str:
        """A new authorization code for a consent just given."""
        grant = Grant(email.lower(), client_id, scopes, "1//sbx-" + secrets.token_urlsafe(32))
        code = "4/sbx-" + secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = PendingCode(grant, redirect_uri, code_challenge, code_challenge_method,
                                            time.time() + 600)
        return code

    def redeem_code(self, code: str, client_id: str, redirect_uri: str, code_verifier: str) -> Grant | str:
        """The grant for a code, or the reason it is refused (Google's error words)."""
        with self._lock:
            pending = self._codes.pop(code, None)
        if pending is None or pending.expires < time.time() or pending.grant.client_id != client_id:
            return "Malformed auth code."
        if pending.redirect_uri != redirect_uri:
            return "redirect_uri_mismatch"
        if pending.code_challenge and not pkce_matches(code_verifier, pending.code_challenge,
                                                       pending.code_challenge_method):
            return "Invalid code verifier."
        with self._lock:
            self._refresh[pending.grant.refresh_token] = pending.grant
            self._save()
        return pending.grant

    def grant_for_refresh(self, refresh_token: str, client_id: str) -> Grant | None:
        with self._lock:
            grant = self._refresh.get(refresh_token)
        if grant is None or grant.revoked or grant.client_id != client_id:
            return None
        return grant

    def has_live_grant(self, email: str, client_id: str) -> bool:
        """True when this account already consented to this client (Google then sends no new refresh token)."""
        with self._lock:
            return any(g.email == email.lower() and g.client_id == client_id and not g.revoked
                       for g in self._refresh.values())

    def issue_access_token(self, grant: Grant) -> AccessToken:
        token = AccessToken("ya29.sbx-" + secrets.token_urlsafe(40), grant, time.time() + self.access_lifetime)
        with self._lock:
            self._access[token.token] = token
            self._save()
        return token

    def lookup_access_token(self, token: str) -> AccessToken | None:
        """The access token if it is known, unexpired and its grant not revoked."""
        with self._lock:
            found = self._access.get(token)
        return found if found is not None and found.valid else None

    def revoke_token(self, token: str) -> bool:
        """Google's revoke endpoint: either token kind revokes the whole grant."""
        with self._lock:
            grant = self._refresh.get(token) or getattr(self._access.get(token), "grant", None)
            if grant is None or grant.revoked:
                return False
            grant.revoked = True
            self._save()
            return True

    def revoke_account(self, email: str) -> int:
        """What a user does at myaccount.google.com: revoke every grant of this account."""
        with self._lock:
            grants = [g for g in self._refresh.values() if g.email == email.lower() and not g.revoked]
            for grant in grants:
                grant.revoked = True
            self._save()
        return len(grants)

    def expire_access_tokens(self, email: str | None = None) -> int:
        """Make access tokens expire now (all, or one account's), leaving refresh tokens alive."""
        with self._lock:
            hit = [t for t in self._access.values() if email is None or t.grant.email == email.lower()]
            for token in hit:
                token.expires = 0.0
            self._save()
        return len(hit)


def pkce_matches(verifier: str, challenge: str, method: str) -> bool:
    """RFC 7636 check: S256 (what google-auth-oauthlib sends) or plain."""
    if method.upper() == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii") == challenge
    return verifier == challenge
