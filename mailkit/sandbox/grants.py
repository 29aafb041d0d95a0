"""The sandbox's OAuth state: authorization codes, refresh and access tokens, shared by its
HTTP side (which issues them) and its SMTP/IMAP side (which accepts or refuses them).

Tests reach in through `revoke_account` and `expire_access_tokens` to model what a user or
Google does to a grant.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field

ACCESS_TOKEN_LIFETIME = 3599


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
    """Thread-safe store of everything the sandbox's OAuth side has handed out."""

    def __init__(self, access_lifetime: int = ACCESS_TOKEN_LIFETIME):
        self._lock = threading.Lock()
        self._codes: dict[str, PendingCode] = {}
        self._refresh: dict[str, Grant] = {}
        self._access: dict[str, AccessToken] = {}
        self.access_lifetime = access_lifetime

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
            return True

    def revoke_account(self, email: str) -> int:
        """What a user does at myaccount.google.com: revoke every grant of this account."""
        with self._lock:
            grants = [g for g in self._refresh.values() if g.email == email.lower() and not g.revoked]
            for grant in grants:
                grant.revoked = True
        return len(grants)

    def expire_access_tokens(self, email: str | None = None) -> int:
        """Make access tokens expire now (all, or one account's), leaving refresh tokens alive."""
        with self._lock:
            hit = [t for t in self._access.values() if email is None or t.grant.email == email.lower()]
            for token in hit:
                token.expires = 0.0
        return len(hit)


def pkce_matches(verifier: str, challenge: str, method: str) -> bool:
    """RFC 7636 check: S256 (what google-auth-oauthlib sends) or plain."""
    if method.upper() == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii") == challenge
    return verifier == challenge
