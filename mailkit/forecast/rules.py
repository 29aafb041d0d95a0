"""The rules of the forecast, one per way an account breaks. Each reads an account's facts (`facts.gather`) and
the moment of the forecast, and returns the item it foresees, or None. Their dates are Google's and Microsoft's
published rules (GMAIL_FACTS.md, FIELD_FACTS.md): 7 days for a Testing client's consent, six months unused, the
end of December 2026 for Microsoft's basic authentication, 2,000 (Workspace) / about 500 (Gmail) messages a day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from mailkit.forecast.facts import AccountFacts
from mailkit.forecast.items import ForecastItem
from mailkit.oauth.clients import publish_command
from mailkit.oauth.store import parse_time
from mailkit.status import Status
from mailkit.workspace import Workspace

#: Google drops a refresh token unused for six months.
UNUSED_LIFETIME = timedelta(days=183)
#: Microsoft's end of basic authentication for SMTP AUTH (message center MC786329: end of December 2026).
BASIC_AUTH_RETIREMENT = datetime(2026, 12, 31, tzinfo=UTC)
#: Messages a day Google allows per account, by mailkit provider (the setting `forecast.daily_limit` wins).
DAILY_LIMITS = {"gmail": 500, "workspace": 2000}
#: A day's test sends at or above this share of the limit are worth a warning.
QUOTA_SHARE = 0.8
#: Microsoft providers (mailkit.oauth.microsoft.MICROSOFT_PROVIDERS, without importing msal's side).
MICROSOFT = frozenset({"microsoft365"})

Rule = Callable[[AccountFacts, datetime, Workspace], "ForecastItem | None"]


def _item(facts: AccountFacts, kind: str, when: datetime, **fields: str) -> ForecastItem:
    account = facts.account
    return ForecastItem(account.email, account.company, facts.company_name, kind, when, fields)


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def oauth_testing(facts: AccountFacts, now: datetime, workspace: Workspace) -> ForecastItem | None:
    """A refresh token with a known end (Google said so, or its client is in Testing) ends then."""
    grant = facts.grant
    if grant is None or grant.status != Status.OK.value or not grant.refresh_expires_at:
        return None
    end = parse_time(grant.refresh_expires_at)
    if end is None:
        return None
    return _item(facts, "oauth_testing", end, publish=publish_command(workspace, facts.account.email,
                                                                      facts.account.company))


def oauth_unused(facts: AccountFacts, now: datetime, workspace: Workspace) -> ForecastItem | None:
    """A Google refresh token not used for six months dies: six months after its last use (the consent or the
    last refresh; a sign-in with a still-valid access token does not use it)."""
    grant = facts.grant
    if grant is None or grant.status != Status.OK.value or facts.account.provider in MICROSOFT:
        return None
    used = [t for t in (parse_time(grant.obtained_at), parse_time(grant.last_refresh_at)) if t is not None]
    if not used:
        return None
    last = max(used)
    return _item(facts, "oauth_unused", last + UNUSED_LIFETIME, last_used=_day(last))


def oauth_revoked(facts: AccountFacts, now: datetime, workspace: Workspace) -> ForecastItem | None:
    """Google refused the refresh token at the last refresh: broken since that refusal."""
    grant = facts.grant
    if grant is None or grant.status != Status.OAUTH_REAUTH_REQUIRED.value:
        return None
    refused = [o.at for o in facts.history if o.status == Status.OAUTH_REAUTH_REQUIRED.value]
    when = refused[-1] if refused else parse_time(grant.last_refresh_at) or parse_time(grant.obtained_at) or now
    return _item(facts, "oauth_revoked", when)


def app_password_revoked(facts: AccountFacts, now: datetime, workspace: Workspace) -> ForecastItem | None:
    """An app password that signed in and is now refused as a wrong password (535 5.7.8) was revoked: Google does
    that to every app password when the account's password changes. Broken since the first refusal."""
    if facts.account.auth != "app_password" or not facts.history:
        return None
    stored = facts.secret_set_at
    history = [o for o in facts.history if stored is None or o.at >= stored]  # this app password's results only
    if not history or history[-1].status != Status.BAD_CREDENTIALS.value:
        return None
    worked = [i for i, o in enumerate(history) if o.status == Status.OK.value]
    if not worked:
        return None  # never worked: a wrong app password, not a revoked one
    refused = history[worked[-1] + 1]
    reply = _first_sentence(refused.reply) if refused.reply else str(refused.reply_code or "")
    return _item(facts, "app_password_revoked", refused.at, worked=_day(history[worked[-1]].at), reply=reply)


def _first_sentence(reply: str) -> str:
    """'535 5.7.8 Username and Password not accepted.' out of Google's reply (its help link left out)."""
    line = reply.splitlines()[0]
    end = line.find(". ", 10)
    return line[: end + 1] if end > 0 else line[:120]


def basic_auth_retirement(facts: AccountFacts, now: datetime, workspace: Workspace) -> ForecastItem | None:
    """A Microsoft 365 mailbox still signing in with a password stops at the end of basic authentication."""
    if facts.account.provider not in MICROSOFT or facts.account.auth == "oauth2":
        return None
    return _item(facts, "basic_auth_retirement", BASIC_AUTH_RETIREMENT)


def quota_nearly_used(facts: AccountFacts, now: datetime, workspace: Workspace) -> ForecastItem | None:
    """Test sends of the last 24 hours at 80 % or more of the account's daily limit: the limit is near, and mail
    over it is refused until the oldest of those sends is a day old (`until`)."""
    limit = _daily_limit(facts, workspace)
    if limit is None:
        return None
    day_ago = now - timedelta(days=1)
    sends = [o.at for o in facts.history if o.sent and o.at >= day_ago]
    if not sends or len(sends) < QUOTA_SHARE * limit:
        return None
    over = len(sends) >= limit  # used up: broken now; nearly: the next sends of the day may break it
    until = min(sends) + timedelta(days=1)
    return _item(facts, "quota_nearly_used", now if over else now + timedelta(hours=1), sent=str(len(sends)),
                 limit=str(limit), until=until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def _daily_limit(facts: AccountFacts, workspace: Workspace) -> int | None:
    setting = workspace.setting("forecast.daily_limit")
    if isinstance(setting, int) and not isinstance(setting, bool) and setting > 0:
        return setting if facts.account.provider in DAILY_LIMITS else None
    return DAILY_LIMITS.get(facts.account.provider)


RULES: tuple[Rule, ...] = (oauth_testing, oauth_unused, oauth_revoked, app_password_revoked, basic_auth_retirement,
                           quota_nearly_used)

__all__ = ["BASIC_AUTH_RETIREMENT", "DAILY_LIMITS", "MICROSOFT", "QUOTA_SHARE", "RULES", "UNUSED_LIFETIME", "Rule",
           "app_password_revoked", "basic_auth_retirement", "oauth_revoked", "oauth_testing", "oauth_unused",
           "quota_nearly_used"]
