"""How the sandbox's Exchange Online decides a sign-in, for SMTP and IMAP alike.

Microsoft's rules, not Google's: a password works only over SMTP (Exchange Online turned basic
authentication off for IMAP and POP in October 2022), and only while basic authentication is allowed
for the mailbox (no Security Defaults, not retired) and SMTP AUTH is enabled — which also gates XOAUTH2.
A token must be the mailbox's own and carry the protocol's scope (SMTP.Send for SMTP,
IMAP.AccessAsUser.All for IMAP), else Exchange answers `535 5.7.3` / `NO AUTHENTICATE failed.`.
"""

from __future__ import annotations

import secrets
import string

from mailkit.oauth.scopes import MS_IMAP_SCOPE, MS_SMTP_SEND_SCOPE
from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.grants import GrantRegistry
from mailkit.sandbox.signin import Outcome

#: The scope each protocol needs in an access token.
PROTOCOL_SCOPES = {"smtp": MS_SMTP_SEND_SCOPE, "imap": MS_IMAP_SCOPE}


def ms_check_password(account: SandboxAccount | None, secret: str, protocol: str) -> Outcome:
    """A user/password sign-in (AUTH LOGIN, IMAP LOGIN / AUTHENTICATE PLAIN) against a Microsoft mailbox."""
    if account is None or not account.microsoft:
        return Outcome.BAD_CREDENTIALS
    if account.login_throttled:
        return Outcome.THROTTLED
    if protocol == "smtp" and account.smtp_auth_disabled:
        return Outcome.SMTP_AUTH_DISABLED
    if account.basic_auth_retired or protocol != "smtp":
        return Outcome.BASIC_AUTH_RETIRED
    if account.security_defaults:
        return Outcome.SECURITY_DEFAULTS
    if account.password and secret == account.password:
        return Outcome.OK
    return Outcome.BAD_CREDENTIALS


def ms_check_token(account: SandboxAccount | None, grants: GrantRegistry, token: str, protocol: str) -> Outcome:
    """An OAuth 2.0 access token (XOAUTH2) for this mailbox, with the protocol's scope."""
    if account is None or not account.microsoft:
        return Outcome.BAD_TOKEN
    if account.login_throttled:
        return Outcome.THROTTLED
    if protocol == "smtp" and account.smtp_auth_disabled:
        return Outcome.SMTP_AUTH_DISABLED
    access = grants.lookup_access_token(token)
    if access is None or not account.oauth or access.grant.email != account.email.lower():
        return Outcome.BAD_TOKEN
    return Outcome.OK if PROTOCOL_SCOPES[protocol] in access.grant.scopes else Outcome.BAD_TOKEN


def front_end_name() -> str:
    """A per-connection server name shaped like Exchange Online's, e.g. `PH7PR17CA0021.namprd17.prod.outlook.com`."""
    rnd = secrets.SystemRandom()
    region = rnd.choice(["namprd", "eurprd", "apcprd"])
    number = f"{rnd.randint(1, 20):02d}"
    pod = "".join(rnd.choices(string.ascii_uppercase, k=2))
    return f"{pod}{rnd.randint(0, 9)}PR{number}CA{rnd.randint(0, 9999):04d}.{region}{number}.prod.outlook.com"


__all__ = ["PROTOCOL_SCOPES", "front_end_name", "ms_check_password", "ms_check_token"]
