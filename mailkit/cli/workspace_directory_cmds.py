"""`mailkit workspace users / app-passwords / tokens DOMAIN`: a Workspace domain's users from the Directory (and
importing them), the app passwords and third-party tokens they hold, and revoking those with a record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, say
from mailkit.cli.workspace_cmds import workspace_app
from mailkit.errors import UsageError
from mailkit.i18n import N_, resolve_lang, text

DomainArgument = typer.Argument(..., help="The client's Google Workspace domain, e.g. client.example.")
YesOption = typer.Option(False, "--yes", "-y", help="Revoke without asking for confirmation.")
UserOption = typer.Option([], "--user", metavar="EMAIL",
                          help="Only this user of the domain (repeatable: --user a@x --user b@x).")


@workspace_app.command("users")
def users_command(
    domain: str = DomainArgument,
    do_import: bool = typer.Option(False, "--import", help="Add the users listed to the inventory (needs --company)."),
    company: str = typer.Option(None, "--company", help="With --import: the company (slug or name) they belong to."),
    only: str = typer.Option(None, "--only", metavar="EMAIL,...", help="Only these users (addresses or aliases)."),
    include_suspended: bool = typer.Option(False, "--include-suspended", help="Also list suspended users."),
    send_as: bool = typer.Option(False, "--send-as", help="Also read each user's send-as addresses from Gmail "
                                 "(needs the domain connected with `mailkit workspace connect`)."),
    json_out: bool = JsonOption,
) -> None:
    """List the domain's users from the Admin SDK Directory (name, suspended, 2SV, last login, aliases); with
    --send-as, the addresses each may send as (Gmail's settings); with --import, add them to the inventory as the
    company's Workspace accounts (existing rows are left alone)."""
    from mailkit.google_workspace import import_users, list_send_as, list_users, require_delegation

    lang = resolve_lang(STATE.lang)
    domain = checked_domain(domain)
    if do_import != bool(company):
        raise UsageError("--import and --company go together: --import --company SLUG adds the users to that "
                         "company's accounts")
    if company:
        _check_company(company)
    wanted = [e.strip() for e in only.split(",") if e.strip()] if only is not None else None
    if wanted is not None and not wanted:
        raise UsageError("--only: give one or more addresses separated by commas")
    if send_as:
        require_delegation(STATE.workspace(), domain)  # before the Directory is asked anything
    users = list_users(STATE.workspace(), domain, include_suspended=include_suspended, only=wanted)
    senders = list_send_as(STATE.workspace(), domain, [u.email for u in users]) if send_as else None
    lines = import_users(STATE.workspace(), users, company) if do_import else []
    if json_out:
        rows = [u.to_dict() for u in users]
        if senders is not None:
            for row in rows:
                row["send_as"] = senders.aliases_of(row["email"])
        emit_json({"domain": domain, "users": rows, "imported": [line.to_dict() for line in lines],
                   **({"send_as_failures": senders.failures} if senders is not None else {})})
        return
    _print_users(users, lang, senders)
    for line in lines:
        say(line.message(lang))


@workspace_app.command("app-passwords")
def app_passwords_command(
    domain: str = DomainArgument,
    user: list[str] = UserOption,
    revoke: str = typer.Option(None, "--revoke", metavar="ID", help="Revoke this app password (its id) of --user."),
    revoke_stale: int = typer.Option(None, "--revoke-stale", metavar="DAYS", min=1,
                                     help="Revoke every app password unused for DAYS days (never used: since made)."),
    revoke_all: bool = typer.Option(False, "--revoke-all", help="Revoke every app password of the --user(s)."),
    yes: bool = YesOption,
    json_out: bool = JsonOption,
) -> None:
    """Who holds app passwords, what each is called, when it was created and last used; revoke one, a user's
    all, or every stale one (asks first; every revocation is recorded). Exit 1 when a revocation failed."""
    from mailkit.google_workspace import list_app_passwords, revoke_app_passwords, security_client, stale_app_passwords

    lang = resolve_lang(STATE.lang)
    domain = checked_domain(domain)
    users = _checked_users(user, domain)
    action = _one_action(revoke=revoke, revoke_stale=revoke_stale, revoke_all=revoke_all, users=users)
    if revoke is not None and not (revoke.strip().isascii() and revoke.strip().isdigit()):
        raise UsageError(f"--revoke: {revoke!r} is not an app password id (a number: the `id` column of "
                         f"`mailkit workspace app-passwords {domain} --user EMAIL`)")
    client = security_client(STATE.workspace(), domain)
    listing = list_app_passwords(STATE.workspace(), domain, users=users or None, client=client)
    targets = []
    if action == "one":
        targets = [a for a in listing.items if a.code_id == int(revoke)]
        if not targets:
            raise UsageError(f"--revoke: {users[0]} has no app password with id {revoke.strip()}: list them with "
                             f"`mailkit workspace app-passwords {domain} --user {users[0]}`")
    elif action == "all":
        targets = list(listing.items)  # the listing holds the named users only
    elif action == "stale":
        targets = stale_app_passwords(listing.items, revoke_stale)
    if not json_out:
        _print_app_passwords(listing, lang)
    if action is None:
        if json_out:
            emit_json(listing.to_dict())
        return
    reason = {"one": "one", "all": "all", "stale": f"stale:{revoke_stale}"}[action]
    chosen = [text(lang, "{email}: app password “{name}” (id {id})", email=a.email, name=a.name, id=a.code_id)
              for a in targets]
    if not _confirmed(chosen, text(lang, "Revoke {n} app password(s)?", n=len(targets)), yes, json_out, lang):
        raise typer.Exit(1)
    done = revoke_app_passwords(STATE.workspace(), domain, targets, reason, client=client)
    _report_revocations(done, {**listing.to_dict(), "revocations": [r.to_dict() for r in done]}, json_out, lang)


@workspace_app.command("tokens")
def tokens_command(
    domain: str = DomainArgument,
    user: list[str] = UserOption,
    all_scopes: bool = typer.Option(False, "--all-scopes", help="Also apps whose tokens do not reach mail."),
    revoke: str = typer.Option(None, "--revoke", metavar="CLIENT_ID", help="Revoke this app's tokens of --user."),
    revoke_all: bool = typer.Option(False, "--revoke-all", help="Revoke every token listed for the --user(s)."),
    yes: bool = YesOption,
    json_out: bool = JsonOption,
) -> None:
    """Third-party apps holding OAuth tokens that reach the users' mail (Gmail scopes); revoke one app's or all
    of a user's (asks first; recorded). Google tells no last use of a token, so there is no --revoke-stale."""
    from mailkit.google_workspace import list_tokens, revoke_tokens, security_client

    lang = resolve_lang(STATE.lang)
    domain = checked_domain(domain)
    users = _checked_users(user, domain)
    action = _one_action(revoke=revoke, revoke_stale=None, revoke_all=revoke_all, users=users)
    client = security_client(STATE.workspace(), domain)
    listing = list_tokens(STATE.workspace(), domain, users=users or None, mail_only=not all_scopes, client=client)
    targets = []
    if action == "one":
        targets = [t for t in listing.items if t.client_id == revoke.strip()]
        if not targets:
            raise UsageError(f"--revoke: {users[0]} has given no listed token to the client {revoke.strip()!r}: "
                             f"list them with `mailkit workspace tokens {domain} --user {users[0]} --all-scopes`")
    elif action == "all":
        targets = list(listing.items)  # the listing holds the named users only
    if not json_out:
        _print_tokens(listing, lang)
    if action is None:
        if json_out:
            emit_json(listing.to_dict())
        return
    chosen = [text(lang, "{email}: {app} ({client_id})", email=t.email, app=t.display_text or "?",
                   client_id=t.client_id) for t in targets]
    if not _confirmed(chosen, text(lang, "Revoke the tokens of {n} app(s)?", n=len(targets)), yes, json_out, lang):
        raise typer.Exit(1)
    done = revoke_tokens(STATE.workspace(), domain, targets, "one" if action == "one" else "all", client=client)
    _report_revocations(done, {**listing.to_dict(), "revocations": [r.to_dict() for r in done]}, json_out, lang)


# --- input ---------------------------------------------------------------------------------------
def checked_domain(domain: str) -> str:
    """A domain name as mailkit stores it; a usage error naming DOMAIN otherwise."""
    from mailkit.errors import ValidationError
    from mailkit.models import normalize_email

    try:
        return normalize_email(f"user@{domain.strip().lstrip('@')}", "DOMAIN").rpartition("@")[2]
    except ValidationError as exc:
        raise UsageError(f"DOMAIN: {domain!r} is not a domain name (expected e.g. client.example)") from exc


def _checked_users(users: list[str] | None, domain: str) -> list[str]:
    """The --user addresses, each checked to be of the domain, once each in the order given."""
    from mailkit.models import normalize_email

    checked: list[str] = []
    for user in users or []:
        email = normalize_email(user, "--user")
        if email.rpartition("@")[2] != domain:
            raise UsageError(f"--user: {email} is not in {domain}: give a user of that domain")
        checked.append(email)
    return list(dict.fromkeys(checked))


def _one_action(*, revoke: str | None, revoke_stale: int | None, revoke_all: bool, users: list[str]) -> str | None:
    """Which revocation was asked for ("one", "stale", "all" or None); refuses a mix, a missing --user, and
    several users for one id (an id names one user's app password or app)."""
    asked = [name for name, given in (("--revoke", revoke is not None), ("--revoke-stale", revoke_stale is not None),
                                      ("--revoke-all", revoke_all)) if given]
    if len(asked) > 1:
        raise UsageError(f"{' and '.join(asked)}: give only one of them")
    if asked and asked[0] in ("--revoke", "--revoke-all") and not users:
        raise UsageError(f"{asked[0]} needs --user EMAIL (whose to revoke)")
    if asked and asked[0] == "--revoke" and len(users) > 1:
        raise UsageError("--revoke names one user's app password or app: give one --user EMAIL (for several users, "
                         "--revoke-all)")
    return {"--revoke": "one", "--revoke-stale": "stale", "--revoke-all": "all"}.get(asked[0]) if asked else None


def _check_company(company: str) -> None:
    from mailkit.cli.common import open_inventory

    with open_inventory() as inventory:
        inventory.company(company)


def _confirmed(chosen: list[str], question: str, yes: bool, json_out: bool, lang: str) -> bool:
    """Show what would be revoked (stderr under --json) and ask, unless --yes. Nothing chosen needs no question
    (and is no failure: a scheduled --revoke-stale that finds nothing is fine)."""
    if not chosen:
        say(text(lang, "Nothing to revoke."), err=json_out)
        return True
    for line in chosen:
        say("  " + line, err=json_out)
    if yes:
        return True
    if typer.confirm(question, default=False, err=True):
        return True
    say(text(lang, "Nothing revoked."), err=True)
    return False


# --- output --------------------------------------------------------------------------------------
def _when(moment: datetime | None, none: str) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else none


def _print_users(users: list[Any], lang: str, senders: Any = None) -> None:
    header = (text(lang, "email"), text(lang, "name"), text(lang, "suspended"), text(lang, "2SV"),
              text(lang, "last login"), text(lang, "aliases"))
    extra = f" | {text(lang, 'send as')}" if senders is not None else ""
    say(f"{header[0]:<40} {header[1]:<28} {header[2]:<10} {header[3]:<22} {header[4]:<17} {header[5]}{extra}")
    yes_no = {True: text(lang, "yes"), False: text(lang, "no")}
    for u in users:
        two_step = text(lang, "on") if u.enrolled_2sv else text(lang, "off")
        two_step += f" ({text(lang, 'enforced')})" if u.enforced_2sv else ""
        sends = ""
        if senders is not None:
            failed = senders.failures.get(u.email.lower())
            sends = " | " + (f"? ({failed})" if failed else ", ".join(senders.aliases_of(u.email)) or "-")
        say(f"{u.email:<40} {u.name[:28]:<28} {yes_no[u.suspended]:<10} {two_step:<22} "
            f"{_when(u.last_login, text(lang, 'never')):<17} {', '.join(u.aliases)}{sends}")
    say(text(lang, "{n} user(s)", n=len(users)))


def _print_app_passwords(listing: Any, lang: str) -> None:
    say(f"{text(lang, 'email'):<40} {text(lang, 'id'):<11} {text(lang, 'name'):<28} {text(lang, 'created'):<17} "
        f"{text(lang, 'last used')}")
    for a in listing.items:
        say(f"{a.email:<40} {a.code_id:<11} {a.name[:28]:<28} {_when(a.created, text(lang, 'unknown')):<17} "
            f"{_when(a.last_used, text(lang, 'never'))}")
    say(text(lang, "{holders} of {users} user(s) hold {n} app password(s).", holders=len(listing.holders()),
             users=len(listing.users), n=len(listing.items)))


def _print_tokens(listing: Any, lang: str) -> None:
    say(f"{text(lang, 'email'):<40} {text(lang, 'app'):<28} {text(lang, 'client ID'):<45} {text(lang, 'scopes')}")
    for t in listing.items:
        say(f"{t.email:<40} {t.display_text[:28]:<28} {t.client_id:<45} {' '.join(t.scopes)}")
    say(text(lang, "{n} token(s) of {users} user(s).", n=len(listing.items), users=len(listing.users)))


_OUTCOMES = {"revoked": N_("revoked"), "gone": N_("already gone"), "failed": N_("FAILED")}


def _report_revocations(done: list[Any], data: dict[str, Any], json_out: bool, lang: str) -> None:
    """One line per revocation (or the JSON); exit 1 when one failed."""
    if json_out:
        emit_json(data)
    else:
        for r in done:
            say(text(lang, "{outcome}: {email}: {name} ({id})", outcome=text(lang, _OUTCOMES[r.outcome]),
                     email=r.email, name=r.item_name or "?", id=r.item_id) + (f" — {r.detail}" if r.detail else ""))
    if any(r.outcome == "failed" for r in done):
        raise typer.Exit(1)


__all__ = ["app_passwords_command", "checked_domain", "tokens_command", "users_command"]
