"""How the sandbox decides a sign-in, the same way for SMTP and IMAP.

Pure functions: a SASL blob or a user/secret pair goes in, an `Outcome` comes out; the SMTP and
IMAP servers only turn outcomes into their protocol's words (GMAIL_FACTS.md).
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import secrets
import string
from collections.abc import Callable, Mapping

from mailkit.oauth.scopes import MAIL_SCOPE
from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.grants import GrantRegistry


class Outcome(enum.Enum):
    """What Google (or Microsoft) would make of a sign-in attempt."""

    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    APP_PASSWORD_REQUIRED = "app_password_required"
    WEB_LOGIN_REQUIRED = "web_login_required"
    THROTTLED = "throttled"
    BAD_TOKEN = "bad_token"
    # Microsoft 365 only (mailkit.sandbox.outlook_signin)
    SMTP_AUTH_DISABLED = "smtp_auth_disabled"
    SECURITY_DEFAULTS = "security_defaults"
    BASIC_AUTH_RETIRED = "basic_auth_retired"


#: What Gmail sends (base64-encoded) after a refused XOAUTH2 token.
XOAUTH2_ERROR = json.dumps({"status": "400", "schemes": "Bearer", "scope": MAIL_SCOPE},
                           separators=(",", ":")).encode()
#: What Gmail sends after a refused OAUTHBEARER token.
OAUTHBEARER_ERROR = json.dumps({"status": "invalid_request", "scope": MAIL_SCOPE},
                               separators=(",", ":")).encode()


def find_account(accounts: Mapping[str, SandboxAccount], user: str) -> SandboxAccount | None:
    """The account a client named; case and surrounding spaces do not matter, as at Google."""
    return accounts.get(user.strip().lower())


def check_password(account: SandboxAccount | None, secret: str, grants: GrantRegistry | None = None) -> Outcome:
    """A user/secret sign-in (SMTP AUTH PLAIN/LOGIN, IMAP LOGIN / AUTHENTICATE PLAIN). A Microsoft 365
    mailbox is no Google account: Gmail's servers do not know it. With `grants` (the sandbox's clock), an app
    password created before the account's password changed is revoked, as Google revokes them all then."""
    if account is None or account.microsoft:
        return Outcome.BAD_CREDENTIALS
    if account.login_throttled:
        return Outcome.THROTTLED
    is_password = bool(account.password) and secret == account.password
    index = account.app_password_index(secret)
    is_app_password = index is not None
    code = account.app_password_codes()[index] if index is not None else 0
    if is_app_password and grants is not None and (grants.app_passwords_revoked(account.email)
                                                   or grants.app_password_deleted(account.email, code)):
        return Outcome.BAD_CREDENTIALS  # revoked by a password change, or deleted by an admin (asps.delete)
    if account.suspended and (is_password or is_app_password):
        return Outcome.BAD_CREDENTIALS
    if account.web_login_required and (is_password or is_app_password):
        return Outcome.WEB_LOGIN_REQUIRED
    if is_app_password:
        if grants is not None:
            grants.note_app_password_use(account.email, code)
        return Outcome.OK
    if account.accepts_password(secret):
        return Outcome.OK
    if is_password and account.two_step:
        return Outcome.APP_PASSWORD_REQUIRED
    return Outcome.BAD_CREDENTIALS


def check_token(account: SandboxAccount | None, grants: GrantRegistry, token: str) -> Outcome:
    """An OAuth 2.0 access token for this account: known, alive, its own, with the mail scope."""
    if account is None or account.microsoft:
        return Outcome.BAD_TOKEN
    if account.login_throttled:
        return Outcome.THROTTLED
    access = grants.lookup_access_token(token)
    if access is None or not account.oauth:
        return Outcome.BAD_TOKEN
    if access.grant.email != account.email.lower() or MAIL_SCOPE not in access.grant.scopes:
        return Outcome.BAD_TOKEN
    return Outcome.OK


def decode_b64(blob: str | bytes) -> bytes | None:
    """Strict base64, or None when the client sent something else."""
    try:
        return base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        return None


def parse_plain(decoded: bytes) -> tuple[str, str] | None:
    """SASL PLAIN `authzid NUL authcid NUL passwd` -> (user, secret)."""
    parts = decoded.decode("utf-8", "replace").split("\0")
    if len(parts) != 3 or not parts[1]:
        return None
    return parts[1], parts[2]


def parse_xoauth2(decoded: bytes) -> tuple[str, str] | None:
    """`user=U^Aauth=Bearer T^A^A` -> (user, token)."""
    fields = _kv_fields(decoded.decode("utf-8", "replace").split("\x01"))
    return _user_and_bearer(fields.get("user", ""), fields.get("auth", ""))


def parse_oauthbearer(decoded: bytes) -> tuple[str, str] | None:
    """RFC 7628 `n,a=U,^Ahost=..^Aport=..^Aauth=Bearer T^A^A` -> (user, token)."""
    head, _, rest = decoded.decode("utf-8", "replace").partition("\x01")
    user = next((part[2:] for part in head.split(",") if part.startswith("a=")), "")
    fields = _kv_fields(rest.split("\x01"))
    return _user_and_bearer(user.replace("=2C", ",").replace("=3D", "="), fields.get("auth", ""))


#: The bearer mechanisms: how each reads its SASL blob, and what a refused token gets as a challenge.
BEARER_MECHANISMS: dict[str, tuple[Callable[[bytes], tuple[str, str] | None], bytes]] = {
    "XOAUTH2": (parse_xoauth2, XOAUTH2_ERROR),
    "OAUTHBEARER": (parse_oauthbearer, OAUTHBEARER_ERROR),
}


def plain_sign_in(accounts: Mapping[str, SandboxAccount], decoded: bytes,
                  grants: GrantRegistry | None = None) -> tuple[SandboxAccount | None, Outcome]:
    """SASL PLAIN, decoded: the account named and what Google makes of its secret."""
    parsed = parse_plain(decoded)
    if parsed is None:
        return None, Outcome.BAD_CREDENTIALS
    account = find_account(accounts, parsed[0])
    return account, check_password(account, parsed[1], grants)


def bearer_sign_in(accounts: Mapping[str, SandboxAccount], grants: GrantRegistry, mechanism: str,
                   decoded: bytes) -> tuple[SandboxAccount | None, Outcome]:
    """XOAUTH2 / OAUTHBEARER, decoded: the account named and whether its token is good for mail.

    On `BAD_TOKEN` the server sends `BEARER_MECHANISMS[mechanism][1]` as a challenge first.
    """
    parsed = BEARER_MECHANISMS[mechanism][0](decoded)
    if parsed is None:
        return None, Outcome.BAD_TOKEN
    account = find_account(accounts, parsed[0])
    return account, check_token(account, grants, parsed[1])


def _kv_fields(parts: list[str]) -> dict[str, str]:
    return {key: value for key, _, value in (part.partition("=") for part in parts if part)}


def _user_and_bearer(user: str, auth: str) -> tuple[str, str] | None:
    scheme, _, token = auth.partition(" ")
    if not user or scheme.lower() != "bearer" or not token.strip():
        return None
    return user, token.strip()


def session_id() -> str:
    """A per-session id shaped like Gmail's SMTP ones, e.g. `t66sm6271302pjb.45`."""
    rnd = secrets.SystemRandom()
    letters = string.ascii_lowercase
    return (f"{rnd.choice(letters)}{rnd.randint(1, 999)}sm{rnd.randint(1000000, 9999999)}"
            f"{''.join(rnd.choices(letters, k=3))}.{rnd.randint(0, 999)}")


def imap_session_id() -> str:
    """A per-session id shaped like Gmail's IMAP ones, e.g. `n10mb14960186wmb`."""
    rnd = secrets.SystemRandom()
    letters = string.ascii_lowercase
    return (f"{rnd.choice(letters)}{rnd.randint(1, 99)}mb{rnd.randint(10000000, 99999999)}"
            f"{''.join(rnd.choices(letters, k=3))}")


def web_login_url() -> str:
    """A `signin/continue` link like the one Gmail puts in its 5.7.14 / WEBALERT replies."""
    token = secrets.token_urlsafe(60).replace("-", "").replace("_", "")
    return f"https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbs{token}"


__all__ = [
    "BEARER_MECHANISMS",
    "OAUTHBEARER_ERROR",
    "XOAUTH2_ERROR",
    "Outcome",
    "bearer_sign_in",
    "check_password",
    "check_token",
    "decode_b64",
    "find_account",
    "imap_session_id",
    "parse_oauthbearer",
    "parse_plain",
    "parse_xoauth2",
    "plain_sign_in",
    "session_id",
    "web_login_url",
]
