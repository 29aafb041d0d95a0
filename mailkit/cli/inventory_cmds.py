"""`mailkit init`, `company ...` and `account ...`: the inventory from the command line."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, open_inventory, say, warn_insecure
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.sanitize import one_line

company_app = typer.Typer(help="Client companies.", no_args_is_help=True)
account_app = typer.Typer(help="The mail accounts of each company.", no_args_is_help=True)


AllowInsecureOption = typer.Option(
    False, "--allow-insecure",
    help="Allow a Google/Microsoft account without TLS (security none) or on a host outside the provider's: "
    "its password may travel in clear or to another server. Stored per account; check and audit warn about it.")


def init(
    keyring_backend: str = typer.Option(None, "--keyring", help="Secret store: 'system' or 'cryptfile'."),
    ca_file: Path = typer.Option(None, "--ca-file", dir_okay=False,
                                 help="A CA certificate (PEM) every check trusts besides the system's "
                                      "(setting tls.ca_file)."),
    json_out: bool = JsonOption,
) -> None:
    """Create the workspace (SQLite inventory and settings). Safe to run again."""
    workspace = STATE.workspace().ensure()
    if keyring_backend:
        if keyring_backend not in {"system", "cryptfile"}:
            raise typer.BadParameter("use 'system' or 'cryptfile'", param_hint="--keyring")
        workspace.set_setting("keyring.backend", keyring_backend)
    if ca_file is not None:
        from mailkit.endpoints import check_ca_file

        workspace.set_setting("tls.ca_file", check_ca_file(ca_file, "--ca-file"))
    with Inventory.open(workspace) as inventory:
        counts = {"companies": len(inventory.companies()), "accounts": len(inventory.accounts())}
    if json_out:
        emit_json({"home": str(workspace.home), "database": str(workspace.db_path), **counts})
        return
    say(f"workspace: {workspace.home}")
    say(f"inventory: {workspace.db_path} ({counts['companies']} companies, {counts['accounts']} accounts)")


@company_app.command("add")
def company_add(
    slug: str = typer.Argument(..., help="Short id, e.g. ferreteria-delnorte."),
    name: str = typer.Option(..., "--name", help="The company's name."),
    tax_id: str = typer.Option(None, "--tax-id", help="RFC, NIP or other tax id."),
    notes: str = typer.Option("", "--notes"),
    json_out: bool = JsonOption,
) -> None:
    """Add a company, or update its name, tax id and notes."""
    with open_inventory() as inventory:
        change = inventory.upsert_company(Company(slug, name, tax_id, notes))
        company = inventory.company(slug)
    if json_out:
        emit_json({"change": change, **asdict(company)})
    else:
        say(f"{change}: {company.slug} ({company.name})")


@company_app.command("list")
def company_list(json_out: bool = JsonOption) -> None:
    """List the companies with their number of accounts."""
    with open_inventory() as inventory:
        rows = [{**asdict(c), "accounts": len(inventory.accounts(c.slug))} for c in inventory.companies()]
    if json_out:
        emit_json(rows)
        return
    if not rows:
        say("no companies yet: `mailkit company add SLUG --name NAME` or `mailkit account import FILE`")
    for row in rows:
        tax = f"  [{row['tax_id']}]" if row["tax_id"] else ""
        say(f"{row['slug']:<28} {one_line(row['name'])}{one_line(tax)}  ({row['accounts']} accounts)")


@account_app.command("add")
def account_add(
    email: str = typer.Argument(..., help="The mailbox address."),
    company: str = typer.Option(..., "--company", help="Company slug or name."),
    auth: str = typer.Option(None, "--auth", help="oauth2, app-password or password (default: the provider's)."),
    provider: str = typer.Option(None, "--provider", help="gmail, workspace, microsoft365, custom (default: detect)."),
    smtp_host: str = typer.Option(None, "--smtp-host"),
    smtp_port: int = typer.Option(None, "--smtp-port"),
    security: str = typer.Option(None, "--security", help="starttls, ssl or none."),
    imap_host: str = typer.Option(None, "--imap-host"),
    imap_port: int = typer.Option(None, "--imap-port"),
    imap_security: str = typer.Option(None, "--imap-security",
                                      help="ssl (port 993) or starttls (port 143); custom servers need it for IMAP."),
    login: str = typer.Option(None, "--login", help="User name when it differs from the email."),
    display_name: str = typer.Option("", "--display-name"),
    from_address: list[str] = typer.Option(None, "--from", help="Extra From address (repeatable)."),
    tag: list[str] = typer.Option(None, "--tag", help="Purpose tag, e.g. invoices (repeatable)."),
    notes: str = typer.Option("", "--notes"),
    allow_insecure: bool = AllowInsecureOption,
    ca_file: Path = typer.Option(None, "--ca-file", dir_okay=False,
                                 help="A CA certificate (PEM) to trust for this account's servers, besides the "
                                      "system's: a company's own CA."),
    move: bool = typer.Option(False, "--move", help="Move an account that belongs to another company to --company."),
    json_out: bool = JsonOption,
) -> None:
    """Add an account to a company, or update it. Google accounts get smtp.gmail.com / imap.gmail.com."""
    with open_inventory() as inventory:
        slug = inventory.company(company).slug
        account = build_account(
            email, slug, provider_key=provider, auth=auth, smtp_host=smtp_host, smtp_port=smtp_port,
            security=security, imap_host=imap_host, imap_port=imap_port, imap_security=imap_security, login=login,
            display_name=display_name,
            from_addresses=list(from_address or []), tags=list(tag or []), notes=notes,
            allow_insecure=allow_insecure,
            ca_file=str(ca_file) if ca_file is not None else None,
        )
        moved = inventory.move_account(account.email, slug) if move and inventory.find_account(account.email) \
            else "unchanged"
        inventory.rename_check(account.email, slug)
        change = inventory.upsert_account(account)
        change = "updated" if moved == "updated" else change
        stored = inventory.account(account.email)
    if json_out:
        emit_json({"change": change, **asdict(stored)})
    elif stored.provider == "undetected":
        say(f"{change}: {stored.email} in {stored.company}, provider not detected (DNS did not answer): run "
            "`mailkit account detect` later, or add it again with --provider")
    else:
        say(f"{change}: {stored.email} ({stored.provider}, {stored.auth}, "
            f"{stored.smtp_host}:{stored.smtp_port} {stored.security}) in {stored.company}")
        warn_insecure([stored])


@account_app.command("list")
def account_list(
    company: str = typer.Option(None, "--company", help="Only this company."),
    json_out: bool = JsonOption,
) -> None:
    """List accounts with their provider, auth method and servers."""
    with open_inventory() as inventory:
        accounts = inventory.accounts(company)
    if json_out:
        emit_json([asdict(a) for a in accounts])
        return
    if not accounts:
        say("no accounts yet: `mailkit account add EMAIL --company SLUG` or `mailkit account import FILE`")
    for a in accounts:
        say(one_line(f"{a.company:<22} {a.email:<42} {a.provider:<10} {a.auth:<13} {a.smtp_host}:{a.smtp_port} "
                     f"{a.security}") + (" (insecure, allowed)" if a.allow_insecure else ""))


@account_app.command("remove")
def account_remove(email: str = typer.Argument(...), json_out: bool = JsonOption) -> None:
    """Remove an account from the inventory (its secrets too)."""
    from mailkit.cli.secret_cmds import clear_secrets

    with open_inventory() as inventory:
        account = inventory.account(email)
        cleared = clear_secrets(inventory, account.email)
        inventory.delete_account(account.email)
    if json_out:
        emit_json({"removed": account.email, "secrets_cleared": cleared})
    else:
        say(f"removed: {account.email}" + (f" (cleared {', '.join(cleared)})" if cleared else ""))


@account_app.command("import")
def account_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or .xlsx file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; write nothing."),
    allow_insecure: bool = AllowInsecureOption,
    json_out: bool = JsonOption,
) -> None:
    """Import accounts from CSV/Excel (English, Spanish or Polish headers). Re-importing changes nothing."""
    from mailkit.tabular import import_accounts

    with open_inventory() as inventory:
        report = import_accounts(inventory, file, dry_run=dry_run, allow_insecure=allow_insecure)
    if json_out:
        emit_json(report.to_dict())
    else:
        say(report.summary())
        for error in report.rejected:
            say(f"  rejected line {error.line}: {error.field}: {one_line(error.reason)}", err=True)
    if report.rejected:
        raise typer.Exit(1)


@account_app.command("detect")
def account_detect(
    company: str = typer.Option(None, "--company", help="Only this company."),
    json_out: bool = JsonOption,
) -> None:
    """Detect the provider of accounts stored as 'undetected' (DNS did not answer when they were added)."""
    from mailkit.redetect import detect_undetected

    with open_inventory() as inventory:
        found = detect_undetected(inventory, company)
    pending = [r for r in found if r.provider == "undetected"]
    if json_out:
        emit_json([r.to_dict() for r in found])
    elif not found:
        say("no account waits for detection: every provider is known")
    else:
        for r in found:
            say(f"{r.email:<40} {r.provider:<13} {r.note}")
        say(f"{len(found) - len(pending)} detected, {len(pending)} still undetected"
            + (": give their provider (and a custom server's SMTP host) with `mailkit account add`" if pending else ""))
    if pending:
        raise typer.Exit(1)


@account_app.command("export")
def account_export(
    file: Path = typer.Argument(..., dir_okay=False, help="Target .csv or .xlsx."),
    company: str = typer.Option(None, "--company", help="Only this company."),
    json_out: bool = JsonOption,
) -> None:
    """Export the inventory (no secrets) to CSV or Excel."""
    from mailkit.tabular import export_accounts

    with open_inventory() as inventory:
        count = export_accounts(inventory, file, company=company)
    if json_out:
        emit_json({"file": str(file), "accounts": count})
    else:
        say(f"wrote {count} accounts to {file}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(company_app, name="company")
    app.add_typer(account_app, name="account")


__all__ = ["register"]
