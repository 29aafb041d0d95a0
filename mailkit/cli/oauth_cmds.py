"""`mailkit oauth client/login/status/revoke`: OAuth 2.0 consent and tokens for Google and Microsoft 365
accounts."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, open_inventory, say
from mailkit.errors import UsageError

oauth_app = typer.Typer(help="OAuth 2.0 for Google and Microsoft 365 accounts: client, consent, tokens.",
                        no_args_is_help=True)


@oauth_app.command("client")
def client(
    file: Path | None = typer.Argument(None, help="The JSON of your 'Desktop app' OAuth client (Google Cloud)."),
    microsoft: bool = typer.Option(False, "--microsoft", help="Register a Microsoft Entra app instead (no file)."),
    tenant: str = typer.Option("", "--tenant", help="Microsoft: the Directory (tenant) ID or a domain of the tenant."),
    client_id: str = typer.Option("", "--client-id", help="Microsoft: the Application (client) ID."),
    company: str = typer.Option("", "--company", help="Only for this company (Google: its own OAuth client; "
                                "Microsoft: its own tenant)."),
    domain: str = typer.Option("", "--domain", help="Google: only for the accounts of this mail domain."),
    testing: bool = typer.Option(None, "--testing/--published", help="Google: the client's consent screen is in "
                                 "Testing (its refresh tokens die 7 days after consent) or published. Without a "
                                 "file: said of the client registered now (or of --company/--domain's)."),
    internal: bool = typer.Option(False, "--internal", help="Google: the consent screen is Internal (one Workspace "
                                  "organisation: no 7-day limit, no test users)."),
    list_clients: bool = typer.Option(False, "--list", help="List the registered Google clients (`oauth clients`)."),
    json_out: bool = JsonOption,
) -> None:
    """Register your OAuth client once: Google's Desktop-app JSON (for the workspace, or --company/--domain),
    or (--microsoft) an Entra app's ids."""
    if list_clients:
        _list_clients(json_out)
        return
    if microsoft:
        if domain or internal:
            raise UsageError("--domain and --internal are for Google clients, not --microsoft")
        _register_microsoft(file, tenant, client_id, company, json_out)
        return
    if internal and testing is not None:
        raise UsageError("give one publishing status: --testing, --internal or --published")
    publishing = "internal" if internal else None if testing is None else "testing" if testing else "published"
    if tenant or client_id:
        raise UsageError("--tenant and --client-id are for a Microsoft Entra app: add --microsoft")
    if file is None and publishing is not None:
        _publishing_status(publishing, company, domain, json_out)
        return
    if file is None:
        raise UsageError("give the Google client JSON file, or --microsoft --tenant TENANT --client-id APP_ID "
                         "[--company SLUG] for a Microsoft Entra app")
    if company or domain:
        _register_scoped(file, company, domain, publishing, json_out)
        return
    from mailkit.oauth import declare_publishing, register_client

    registered = register_client(STATE.workspace(), file)
    if publishing is not None:
        declare_publishing(STATE.workspace(), registered, publishing)
    if json_out:
        emit_json({**registered.describe(), "stored_at": str(STATE.workspace().oauth_client_path),
                   "publishing": publishing})
        return
    say(f"OAuth client registered: {registered.client_id}" +
        (f" (project {registered.project_id})" if registered.project_id else ""))
    say(f"kept in {STATE.workspace().oauth_client_path} (readable by you only); next: `mailkit oauth login EMAIL`")


def _register_scoped(file: Path, company: str, domain: str, publishing: str | None, json_out: bool) -> None:
    """A company's (or a domain's) own Google client, beside the workspace's."""
    from mailkit.oauth import register_scoped_client

    registered = register_scoped_client(STATE.workspace(), file, company=company, domain=domain,
                                        publishing=publishing)
    if json_out:
        emit_json({**registered.client.describe(), "company": company, "domain": registered.domain,
                   "publishing": publishing, "stored_at": str(registered.path)})
        return
    whose = f"domain {registered.domain}" if registered.domain else f"company {company}"
    say(f"OAuth client registered for {whose}: {registered.client.client_id}"
        + (f" ({publishing})" if publishing else ""))
    say(f"kept in {registered.path} (readable by you only); consents of its accounts go to it from now on "
        "(grants given to another client keep working while that client stays registered)")


def _publishing_status(publishing: str, company: str, domain: str, json_out: bool) -> None:
    """Keep the admin's word on a registered client's publishing status (what the forecast reads)."""
    from mailkit.oauth import active_client, check_domain, declare_publishing, registered_clients

    workspace = STATE.workspace()
    if company or domain:
        wanted = (check_domain(domain) if domain else "", "" if domain else company)
        found = [r for r in registered_clients(workspace) if (r.domain, r.company) == wanted]
        if not found:
            raise UsageError(f"no OAuth client registered for {'domain ' + wanted[0] if domain else company}: "
                             "register it first with `mailkit oauth client FILE --company SLUG` (or --domain)")
        registered = found[0].client
    else:
        registered = active_client(workspace)
    declare_publishing(workspace, registered, publishing)
    if json_out:
        emit_json({**registered.describe(), "testing": publishing == "testing", "publishing": publishing})
        return
    say(f"OAuth client {registered.client_id}: " + {
        "testing": "in Testing: consents given from now on end 7 days later (`mailkit forecast` warns before)",
        "published": "published: its refresh tokens have no 7-day limit (consents given while in Testing keep "
                     "theirs)",
        "internal": "Internal: for the accounts of its own Workspace organisation only; no 7-day limit"}[publishing])


@oauth_app.command("clients")
def clients(json_out: bool = JsonOption) -> None:
    """The registered Google OAuth clients: ID, whose, publishing status (declared, observed), grants."""
    _list_clients(json_out)


def _list_clients(json_out: bool) -> None:
    from mailkit.oauth import list_clients

    rows = list_clients(STATE.workspace())
    if json_out:
        emit_json(rows)
        return
    if not rows:
        say("no Google OAuth client registered: `mailkit oauth client FILE [--company SLUG | --domain DOMAIN]`")
    for row in rows:
        say(f"{row['client_id']:<60} {row['owner']:<24} declared: {row['declared'] or '-':<10} "
            f"observed: {_observed_word(row['observed']):<22} grants: {row['grants']}")


def _observed_word(observed: str | None) -> str:
    return {"testing": "Testing (7-day tokens)", "no_limit": "no 7-day limit", "limited": "time-limited tokens",
            None: "-"}.get(observed, observed or "-")


def _register_microsoft(file: Path | None, tenant: str, client_id: str, company: str, json_out: bool) -> None:
    from mailkit.oauth import register_microsoft_client

    if file is not None:
        raise UsageError(f"{file}: --microsoft takes no file: give --tenant TENANT --client-id APP_ID")
    if not tenant or not client_id:
        raise UsageError("--microsoft needs --tenant (Directory (tenant) ID) and --client-id (Application (client) "
                         "ID), both on the app's Overview page in Microsoft Entra")
    registered = register_microsoft_client(STATE.workspace(), client_id, tenant, company)
    if json_out:
        emit_json(registered.describe() | {"stored_at": registered.source})
        return
    say(f"Microsoft app registered: {registered.client_id} (tenant {registered.tenant}"
        + (f", company {company})" if company else ")"))
    say(f"kept in {registered.source}; next: `mailkit oauth login EMAIL` (or --device-code on a remote machine)")


@oauth_app.command("login")
def login(
    email: str = typer.Argument(..., help="The account to authorize."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open a browser; paste the final address."),
    device_code: bool = typer.Option(False, "--device-code",
                                     help="Microsoft 365: sign in on any device with a code (remote machines)."),
    timeout: float = typer.Option(420.0, "--timeout", min=0.1, help="Seconds to wait for the browser."),
    json_out: bool = JsonOption,
) -> None:
    """Open the provider's consent page for the account and keep the token (in keyring) when it is usable."""
    from mailkit.i18n import resolve_lang
    from mailkit.oauth import ConsentFlow, is_microsoft
    from mailkit.providers import is_google

    with open_inventory() as inventory:
        account = inventory.account(email)
    microsoft = is_microsoft(account)
    if not is_google(account.provider) and not microsoft:
        raise UsageError(f"{account.email} is a {account.provider} account: mailkit's OAuth login is for Google "
                         "and Microsoft 365")
    if account.auth != "oauth2":
        raise UsageError(f"{account.email} is set to sign in with {account.auth}: switch it first with "
                         f"`mailkit account add {account.email} --company {account.company} --auth oauth2`")
    if device_code and not microsoft:
        raise UsageError(f"--device-code is for Microsoft 365 accounts; for {account.email} use --no-browser and "
                         "paste the address the browser ended on")
    if device_code:
        result = _run_device_code(account, timeout=timeout, json_out=json_out)
    else:
        if microsoft:
            from mailkit.oauth import MicrosoftConsentFlow

            flow: Any = MicrosoftConsentFlow(account, STATE.workspace())
        else:
            flow = ConsentFlow(account, STATE.workspace())
            _say_client(flow.client, account.email, err=json_out)
        result = run_consent(flow, f"Sign in as {account.email} and allow access on this page:",
                             no_browser=no_browser, timeout=timeout, json_out=json_out)
    lang = resolve_lang(STATE.lang)
    data = result.to_dict(lang)
    if json_out:
        emit_json(data)
    else:
        say(("✓ " if result.ok else "✗ ") + result.message)
        if data.get("remedy"):
            say(f"  remedy: {data['remedy']}")
    if not result.ok:
        raise typer.Exit(1)


def _say_client(client: Any, email: str, *, err: bool) -> None:
    """Which OAuth client the consent goes to, and what its declared publishing status means for it."""
    from mailkit.oauth import declared_publishing, short_id

    publishing = declared_publishing(STATE.workspace(), client.fingerprint)
    say(f"OAuth client {short_id(client.client_id)}" + {
        "testing": f" (in Testing: {email} must be one of its test users, and the consent ends 7 days later)",
        "internal": f" (Internal: {email} must belong to the client's own Workspace organisation)",
    }.get(publishing or "", ""), err=err)


def run_consent(flow: Any, invitation: str, *, no_browser: bool, timeout: float, json_out: bool) -> Any:
    """Show the consent link (and open the browser), accept a pasted final address when the browser cannot
    reach this machine, and wait; Ctrl-C cancels. Returns the flow's ConsentResult."""
    say(invitation, err=json_out)
    say(flow.authorization_url, err=json_out)
    if not no_browser:
        _open_browser(flow.authorization_url, err=json_out)
    if no_browser or not sys.stdin.isatty():
        say("If the browser cannot reach this machine, paste here the address it ended on "
            f"({flow.redirect_uri}?...) and press Enter.", err=json_out)
        threading.Thread(target=_read_pasted, args=(flow,), name="mailkit-oauth-paste", daemon=True).start()
    say(f"Waiting up to {timeout:g} s (Ctrl-C cancels)...", err=json_out)
    try:
        return flow.run(timeout)
    except KeyboardInterrupt:
        return flow.cancel()


def _run_device_code(account: Any, *, timeout: float, json_out: bool) -> Any:
    """Microsoft's device code: show where to go and the code, poll until it is used; Ctrl-C cancels."""
    from mailkit.oauth import MicrosoftDeviceFlow

    flow = MicrosoftDeviceFlow(account, STATE.workspace())
    say(f"On any device, open {flow.verification_uri} and enter the code {flow.user_code}", err=json_out)
    say(f"then sign in as {account.email} and accept. Waiting up to {timeout:g} s (Ctrl-C cancels)...", err=json_out)
    try:
        return flow.run(timeout)
    except KeyboardInterrupt:
        return flow.cancel()


def _open_browser(url: str, *, err: bool) -> None:
    import webbrowser

    try:
        opened = webbrowser.open(url, new=1)
    except webbrowser.Error:
        opened = False
    if not opened:
        say("(no browser could be opened here: open the address above yourself)", err=err)


def _read_pasted(flow: Any) -> None:
    """Feed pasted lines to the flow until one completes it; a wrong paste says why and waits for more."""
    for line in sys.stdin:
        if flow.done:
            return
        if not line.strip():
            continue
        try:
            flow.complete_from_url(line)
            return
        except UsageError as exc:
            say(f"error: {exc}", err=True)


@oauth_app.command("status")
def status(json_out: bool = JsonOption) -> None:
    """Every OAuth account: who was authorized, whether the mail scope is there, expiry, last refresh."""
    from mailkit.oauth import grant_status

    with open_inventory() as inventory:
        rows = grant_status(inventory, STATE.workspace())
    if json_out:
        emit_json(rows)
    else:
        _print_status(rows)
    if any(row["status"] != "ok" for row in rows):
        raise typer.Exit(1)


def _print_status(rows: list[dict[str, Any]]) -> None:
    if not rows:
        say("no accounts sign in with OAuth 2.0")
    for row in rows:
        scopes = "mail scope ok" if row["scopes_ok"] else ("MAIL SCOPE MISSING" if row["configured"] else "-")
        say(f"{row['email']:<42} {row['status']:<22} authorized: {row['authorized_email'] or '-':<34} {scopes}")
        if row["configured"]:
            say(f"{'':<42} access token until {row['access_expires_at'] or '-'}; "
                f"last refresh {row['last_refresh_at'] or 'never'}; consent {row['obtained_at'] or '-'}")
        if row.get("client"):
            say(f"{'':<42} client {row['client']} ({row['client_owner'] or '-'}); publishing declared: "
                f"{row['publishing_declared'] or '-'}, observed: {_observed_word(row['publishing_observed'])}")
        if row.get("refresh_token_ends"):
            warn = "⚠ " if row["refresh_token_ends_soon"] else ""
            say(f"{'':<42} {warn}refresh token ends on {row['refresh_token_ends']}"
                + (" (OAuth client in Testing): publish the app or use an Internal client, then "
                   f"`mailkit oauth login {row['email']}`" if _in_testing(row) else ""))


def _in_testing(row: dict[str, Any]) -> bool:
    return "testing" in (row.get("publishing_declared"), row.get("publishing_observed"))


@oauth_app.command("revoke")
def revoke(email: str = typer.Argument(..., help="The account."), json_out: bool = JsonOption) -> None:
    """Revoke the account's grant at Google and delete its token here."""
    from mailkit.oauth import revoke as revoke_grant

    with open_inventory() as inventory:
        account = inventory.account(email)
    outcome = revoke_grant(account, STATE.workspace())
    microsoft = outcome.get("provider") == "microsoft"  # nothing to revoke there: forgetting is the whole job
    failed = outcome["deleted_locally"] and not outcome["revoked_at_google"] and not microsoft
    if json_out:
        emit_json(outcome)
    elif not outcome["deleted_locally"]:
        say(f"no OAuth token stored for {account.email}: nothing to revoke")
    elif microsoft:
        say(f"deleted the token of {account.email} here; {outcome['detail']}")
    elif failed:
        say(f"deleted the token of {account.email} here, but Google did not confirm the revocation "
            f"({outcome['detail']}): remove mailkit's access at https://myaccount.google.com/permissions")
    else:
        say(f"revoked at Google and deleted here: {account.email}")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(oauth_app, name="oauth")
