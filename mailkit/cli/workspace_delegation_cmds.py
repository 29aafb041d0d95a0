"""`mailkit workspace connect/status/disconnect/signer`: a Workspace domain's domain-wide delegation for mail, with a
key in keyring or keyless (Google signs on a signer's request).

Exit codes follow the CLI contract: 0 connected (the delegated sign-in worked), 1 Google refused the delegation
or the sign-in (the check ran and is not ok; the message says what to add in the Admin console), 2 a wrong file
or argument.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, say
from mailkit.cli.workspace_cmds import workspace_app
from mailkit.errors import UsageError


def _lang() -> str:
    from mailkit.i18n import resolve_lang

    return resolve_lang(STATE.lang)


@workspace_app.command("connect")
def workspace_connect(
    domain: str = typer.Argument(..., help="The client's Workspace domain, e.g. example.com."),
    service_account: Path = typer.Option(None, "--service-account", help="The service account's JSON key file."),
    keyless: str = typer.Option(None, "--keyless", metavar="SERVICE_ACCOUNT_EMAIL",
                                help="No key: Google signs as this service account when --signer asks."),
    signer: str = typer.Option(None, "--signer", metavar="EMAIL",
                               help="With --keyless: the Google account (consent from `mailkit workspace signer`) "
                                    "with the role Service Account Token Creator on it."),
    check: str = typer.Option(None, "--check", help="The mailbox to prove it with (default: an inventory account "
                                                    "of DOMAIN)."),
    admin: str = typer.Option(None, "--admin", help="An admin of DOMAIN to act as for Directory reads (2SV)."),
    json_out: bool = JsonOption,
) -> None:
    """Connect DOMAIN with domain-wide delegation once a delegated sign-in works: with a key (kept in keyring) or
    keyless (Google signs on the signer's request; no key anywhere)."""
    from mailkit.google_workspace import connect_domain, connect_keyless
    from mailkit.i18n import text

    lang = _lang()
    if (service_account is None) == (keyless is None):
        raise UsageError("give either --service-account KEY.json (a key) or --keyless SERVICE_ACCOUNT_EMAIL "
                         "--signer EMAIL (no key)")
    if (keyless is None) != (signer is None):
        raise UsageError("--keyless and --signer go together: --keyless SERVICE_ACCOUNT_EMAIL --signer EMAIL")
    if keyless is not None:
        outcome = connect_keyless(STATE.workspace(), domain, keyless, signer, mailbox=check, admin=admin, lang=lang)
    else:
        outcome = connect_domain(STATE.workspace(), domain, service_account, mailbox=check, admin=admin, lang=lang)
    if json_out:
        emit_json(outcome.to_dict())
    elif outcome.ok:
        say(text(lang, "ok: {domain} is connected with domain-wide delegation (service account {service_account}, "
                       "client ID {client_id}); signed in as {mailbox} with XOAUTH2 over SMTP, no consent needed.",
                 domain=outcome.domain, service_account=outcome.service_account, client_id=outcome.client_id,
                 mailbox=outcome.mailbox))
    else:
        say(text(lang, "{domain} is not connected: {status} for {mailbox}.", domain=outcome.domain,
                 status=outcome.status, mailbox=outcome.mailbox), err=True)
        say(outcome.fix, err=True)
    if not outcome.ok:
        raise typer.Exit(1)


@workspace_app.command("status")
def workspace_status(json_out: bool = JsonOption) -> None:
    """The connected domains: service account, client ID, scopes, admin and the last check (never the key)."""
    from mailkit.google_workspace import connected_domains
    from mailkit.i18n import text

    rows = connected_domains(STATE.workspace())
    if json_out:
        emit_json([row.to_dict() for row in rows])
        return
    if not rows:
        say(text(_lang(), "No Workspace domain is connected: run `mailkit workspace connect DOMAIN "
                          "--service-account KEY.json`."))
        return
    lang = _lang()
    for row in rows:
        say(text(lang, "{domain}: service account {service_account}, client ID {client_id}", domain=row.domain,
                 service_account=row.service_account, client_id=row.client_id))
        if row.signer:
            say("  " + text(lang, "keyless: Google signs when {signer} asks (no key on this machine)",
                            signer=row.signer))
        say("  " + text(lang, "scopes: {scopes}; admin for Directory reads: {admin}", scopes=" ".join(row.scopes),
                        admin=row.admin or "-"))
        say("  " + text(lang, "last check: {checked_at} as {mailbox}: {result}", checked_at=row.checked_at or "-",
                        mailbox=row.checked_mailbox or "-", result=row.last_result or "-"))


@workspace_app.command("signer")
def workspace_signer(
    email: str = typer.Argument(..., help="The Google account that may sign as your service accounts."),
    forget: bool = typer.Option(False, "--forget", help="Delete this signer's consent from keyring."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Paste the final address instead of a browser."),
    timeout: float = typer.Option(420.0, "--timeout", min=0.1, help="Seconds to wait for the consent."),
    json_out: bool = JsonOption,
) -> None:
    """The signer of keyless delegation: EMAIL's consent to Google Cloud (scope cloud-platform), kept in keyring,
    with which mailkit asks Google to sign as a service account (IAM Credentials signBlob) instead of holding its
    key. EMAIL needs the role Service Account Token Creator on each service account it is named for."""
    from mailkit.cli.oauth_cmds import run_consent
    from mailkit.google_workspace import SIGNER, forget_signer, testing_warning
    from mailkit.i18n import text
    from mailkit.models import normalize_email
    from mailkit.oauth import ConsentFlow

    lang = _lang()
    email = normalize_email(email, "EMAIL")
    if forget:
        if not forget_signer(STATE.workspace(), email):
            raise UsageError(f"EMAIL: mailkit holds no consent of {email} as a signer")
        say(text(lang, "{email}: the signer's consent was deleted from keyring.", email=email), err=json_out)
        if json_out:
            emit_json({"signer": email, "forgotten": True})
        return
    flow = ConsentFlow(email, STATE.workspace(), purpose=SIGNER)
    consent = run_consent(flow, text(lang, "Sign in as {email} and allow access to Google Cloud on this page:",
                                     email=email), no_browser=no_browser, timeout=timeout, json_out=json_out)
    warning = testing_warning(STATE.workspace(), email, flow.client.fingerprint, lang) if consent.ok else ""
    if json_out:
        emit_json({"signer": email, "consent": consent.to_dict(), "ok": consent.ok, "warning": warning or None})
    else:
        say(("✓ " if consent.ok else "✗ ") + consent.message)
    if warning:
        say(warning, err=True)
    if not consent.ok:
        raise typer.Exit(1)


@workspace_app.command("disconnect")
def workspace_disconnect(domain: str = typer.Argument(..., help="A connected Workspace domain.")) -> None:
    """Delete DOMAIN's service-account key from keyring and forget the domain: its accounts use consent again."""
    from mailkit.google_workspace import connected_domains, disconnect_domain
    from mailkit.i18n import text

    keyless = any(d.signer for d in connected_domains(STATE.workspace()) if d.domain == domain.strip().lower())
    if not disconnect_domain(STATE.workspace(), domain):
        raise UsageError(f"{domain} is not connected: `mailkit workspace status` lists the connected domains")
    if keyless:
        say(text(_lang(), "{domain} disconnected: it was keyless, so there was no key to delete; its accounts use "
                          "their own consent again.", domain=domain))
    else:
        say(text(_lang(), "{domain} disconnected: its service-account key was deleted from keyring.", domain=domain))


__all__ = ["workspace_connect", "workspace_disconnect", "workspace_signer", "workspace_status"]
