"""The sandbox's OAuth state: authorization codes, refresh and access tokens, shared by its
HTTP side (which issues them) and its SMTP/IMAP side (which accepts or refuses them).

Tests reach in through `revoke_account` and `expire_access_tokens` to model what a user or
Google does to a grant, and through `age_account` to move an account's grants and app passwords back in
time: a refresh token then dies as Google's do (7 days after issue when its client is in Testing, after six
months unused, when the account's password changed after it was issued).

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
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailkit.files import write_private

if TYPE_CHECKING:
    from mailkit.sandbox.accounts import SandboxAccount

ACCESS_TOKEN_LIFETIME = 3599
DAY = 86400.0
#: An OAuth client in "Testing" (External consent screen): its refresh tokens expire 7 days after issue.
TESTING_LIFETIME = 7 * DAY
#: A refresh token not used for six months dies.
UNUSED_LIFETIME = 183 * DAY
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
    #: Issued while its OAuth client was in Testing: it dies `TESTING_LIFETIME` after `created`.
    testing: bool = False
    #: The last refresh (0 = never refreshed: `created` counts).
    last_used: float = 0.0

    def dead_by_age(self, now: float, password_changed: float | None = None) -> bool:
        """True when Google would answer `invalid_grant` "Token has been expired or revoked." for its age."""
        if self.testing and now - self.created >= TESTING_LIFETIME:
            return True
        if now - max(self.created, self.last_used) >= UNUSED_LIFETIME:
            return True
        return password_changed is not None and password_changed > self.created


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

    def __init__(self, access_lifetime: int = ACCESS_TOKEN_LIFETIME, path: Path | None = None,
                 accounts: Mapping[str, SandboxAccount] | None = None):
        self._lock = threading.Lock()
        self._codes: dict[str, PendingCode] = {}
        self._refresh: dict[str, Grant] = {}
        self._access: dict[str, AccessToken] = {}
        #: Per account, what `age_account` set: {"password_changed": epoch, "app_passwords_issued": epoch}.
        self._clock: dict[str, dict[str, float]] = {}
        #: Per account, what an admin or a sign-in did to its app passwords and third-party tokens:
        #: {"deleted_asps": [codeId], "asp_used": {codeId: epoch}, "deleted_tokens": [clientId]}.
        self._security: dict[str, dict[str, Any]] = {}
        self.accounts = accounts if accounts is not None else {}
        self.access_lifetime = access_lifetime
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self._load(self.path)

    def _load(self, path: Path) -> None:
        """The grants and access tokens of an earlier run; a missing or unreadable file is an empty start."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            grants = [Grant(g["email"], g["client_id"], tuple(g["scopes"]), g["refresh_token"], bool(g["revoked"]),
                            float(g["created"]), bool(g.get("testing", False)), float(g.get("last_used", 0.0)))
                      for g in raw["grants"]]
            access = [AccessToken(t["token"], grants[int(t["grant"])], float(t["expires"]))
                      for t in raw["access_tokens"]]
            clock = {str(e): {str(k): float(v) for k, v in times.items()} for e, times in raw.get("clock", {}).items()}
            security = {str(e): {"deleted_asps": [int(c) for c in v.get("deleted_asps", [])],
                                 "asp_used": {str(c): float(t) for c, t in v.get("asp_used", {}).items()},
                                 "deleted_tokens": [str(c) for c in v.get("deleted_tokens", [])]}
                        for e, v in raw.get("security", {}).items()}
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            log.warning("sandbox grants in %s not read (%s): starting with none", path, type(exc).__name__)
            return
        self._refresh = {g.refresh_token: g for g in grants if g.refresh_token}
        self._access = {t.token: t for t in access}
        self._clock = clock
        self._security = security

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
            "clock": self._clock,
            "security": self._security,
        }
        write_private(self.path, json.dumps(data, indent=1) + "\n")

    def issue_code(self, email: str, client_id: str, scopes: tuple[str, ...], redirect_uri: str,
                   code_challenge: str = "", code_challenge_method: str = "", *, testing: bool = False) -> str:
        """A new authorization code for a consent just given (`testing`: to a client in Testing)."""
        grant = Grant(email.lower(), client_id, scopes, "1//sbx-" + secrets.token_urlsafe(32), testing=testing)
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
        """The grant a refresh token belongs to, if it is alive (not revoked, not dead of age); the refresh
        counts as a use."""
        now = time.time()
        with self._lock:
            grant = self._refresh.get(refresh_token)
            if grant is None or grant.revoked or grant.client_id != client_id:
                return None
            if grant.dead_by_age(now, self._password_changed(grant.email)):
                return None
            grant.last_used = now  # written with the access token the refresh issues next
        return grant

    # --- time travel ------------------------------------------------------------------------
    def _password_changed(self, email: str) -> float | None:
        """When the account's password changed: set by `age_account`, else from the accounts file."""
        email = email.lower()
        if "password_changed" in self._clock.get(email, {}):
            return self._clock[email]["password_changed"]
        account = self.accounts.get(email)
        return account.password_changed_at if account is not None else None

    def password_changed_at(self, email: str) -> float | None:
        with self._lock:
            return self._password_changed(email)

    def app_passwords_issued_at(self, email: str) -> float | None:
        """When the account's app passwords were created: set by `age_account`, else from the accounts file."""
        email = email.lower()
        with self._lock:
            if "app_passwords_issued" in self._clock.get(email, {}):
                return self._clock[email]["app_passwords_issued"]
        account = self.accounts.get(email)
        return account.app_passwords_issued_at if account is not None else None

    def app_passwords_revoked(self, email: str) -> bool:
        """True when the account's password changed after its app passwords were created (Google revokes
        them all then)."""
        changed, issued = self.password_changed_at(email), self.app_passwords_issued_at(email)
        return changed is not None and issued is not None and changed > issued

    def age_account(self, email: str, days: float | None = None, *, testing: bool | None = None,
                    password_changed_days: float | None = None) -> int:
        """Move an account back in time: its grants (their last use and access tokens moved with them) and app
        passwords issued `days` ago; its OAuth client's grants marked issued in Testing (or not); its password changed
        `password_changed_days` ago. Kept in the state file, so a restart keeps it. The grants touched."""
        email, now = email.lower(), time.time()
        with self._lock:
            grants = [g for g in {id(g): g for g in [*self._refresh.values(), *(t.grant for t in self._access.values())]
                                  }.values() if g.email == email]
            clock = self._clock.setdefault(email, {})
            if days is not None:
                shift = now - float(days) * DAY
                for grant in grants:
                    moved = shift - grant.created  # the grant's whole history moves: issue, last use, tokens
                    grant.created = shift
                    grant.last_used = grant.last_used + moved if grant.last_used else 0.0
                    for token in self._access.values():
                        if token.grant is grant:
                            token.expires += moved
                clock["app_passwords_issued"] = shift
            if testing is not None:
                for grant in grants:
                    grant.testing = testing
            if password_changed_days is not None:
                clock["password_changed"] = now - float(password_changed_days) * DAY
            self._save()
        return len(grants)

    # --- app passwords and third-party tokens, as an admin sees them in the Directory ---------------
    def _account_security(self, email: str) -> dict[str, Any]:
        """Called with the lock held."""
        return self._security.setdefault(email.lower(), {"deleted_asps": [], "asp_used": {}, "deleted_tokens": []})

    def delete_app_password(self, email: str, code_id: int) -> bool:
        """asps.delete: that app password stops working for good. False when it was deleted already."""
        with self._lock:
            deleted = self._account_security(email)["deleted_asps"]
            if int(code_id) in deleted:
                return False
            deleted.append(int(code_id))
            self._save()
        return True

    def app_password_deleted(self, email: str, code_id: int) -> bool:
        with self._lock:
            return int(code_id) in self._security.get(email.lower(), {}).get("deleted_asps", [])

    def note_app_password_use(self, email: str, code_id: int) -> None:
        """A sign-in with this app password worked: the Directory's `lastTimeUsed` moves."""
        with self._lock:
            self._account_security(email)["asp_used"][str(int(code_id))] = time.time()
            self._save()

    def app_password_last_used(self, email: str, code_id: int) -> float | None:
        with self._lock:
            return self._security.get(email.lower(), {}).get("asp_used", {}).get(str(int(code_id)))

    def delete_token(self, email: str, client_id: str) -> bool:
        """tokens.delete for a token listed in the accounts file; False when it was deleted already."""
        with self._lock:
            deleted = self._account_security(email)["deleted_tokens"]
            if client_id in deleted:
                return False
            deleted.append(client_id)
            self._save()
        return True

    def token_deleted(self, email: str, client_id: str) -> bool:
        with self._lock:
            return client_id in self._security.get(email.lower(), {}).get("deleted_tokens", [])

    def live_consents(self, email: str) -> list[Grant]:
        """The account's consents that still hold a refresh token (what tokens.list shows; a service account's
        delegated tokens are not the user's and are not listed)."""
        now, email = time.time(), email.lower()
        with self._lock:
            changed = self._password_changed(email)
            return [g for g in self._refresh.values() if g.email == email and not g.revoked
                    and not g.dead_by_age(now, changed)]

    def revoke_client(self, email: str, client_id: str) -> int:
        """tokens.delete: every grant of this account to this client ends (their access tokens with them)."""
        with self._lock:
            grants = [g for g in self._refresh.values()
                      if g.email == email.lower() and g.client_id == client_id and not g.revoked]
            for grant in grants:
                grant.revoked = True
            self._save()
        return len(grants)

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
