"""`mailkit report`: the latest status of every account, a roll-up per company, and the report as a file."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, open_inventory, say
from mailkit.errors import UsageError
from mailkit.i18n import normalize_lang, resolve_lang


def report(
    output: Path = typer.Option(None, "--output", "-o", dir_okay=False,
                                help="Also write the report to FILE (.xlsx, .csv or .html)."),
    lang: str = typer.Option(None, "--lang", help="Language of headers, causes and remedies: en, es, pl."),
    company: str = typer.Option(None, "--company", help="Only this company (slug)."),
    readiness: bool = typer.Option(False, "--readiness",
                                   help="Microsoft 365 mailboxes that still sign in with a password and so break "
                                        "when basic authentication is retired (end of December 2026)."),
    domains: bool = typer.Option(False, "--domains",
                                 help="Add a Domains sheet to the --output file: the mail authentication (MX, SPF, "
                                      "DKIM, DMARC) of the company domains, asked of DNS."),
    json_out: bool = JsonOption,
) -> None:
    """The latest status of every account with its cause and remedy, and a roll-up per company."""
    from mailkit import reports

    chosen = lang or STATE.lang
    if chosen and normalize_lang(chosen) is None:
        raise UsageError(f"--lang {chosen!r}: choose en, es or pl")
    text_lang = resolve_lang(chosen)
    if domains and output is None:
        raise UsageError("--domains adds a sheet to the report file: give --output FILE.xlsx")
    if company:
        with open_inventory() as inventory:
            company = inventory.company(company).slug  # "no company ..." (exit 2) rather than an empty report
    if readiness:
        if output is not None:
            from mailkit.reports import export

            export(output, STATE.workspace(), lang=chosen, company=company, domains=domains)
        readiness_report(text_lang, company, json_out, output)
        return
    latest = reports.status(STATE.workspace(), lang=text_lang, company=company)
    latest = latest.rename(columns=reports.english_name)
    companies = reports.by_company(frame=latest)
    if output is not None:
        from mailkit.reports import export

        export(output, STATE.workspace(), lang=chosen, company=company, domains=domains)
    if json_out:
        emit_json({"accounts": _records(latest), "companies": _records(companies),
                   **({"output": str(output)} if output else {})})
    else:
        print_report(latest, companies, chosen)
        if output is not None:
            say(f"wrote {output}")
    if (latest["status"] != "ok").any():
        raise typer.Exit(1)


def readiness_report(lang: str, company: str | None, json_out: bool, output: Path | None) -> None:
    """The basic-auth readiness of every Microsoft 365 mailbox; exit 1 when one will break or already did."""
    from mailkit.reports import RETIREMENT, english_name, readiness_frame, readiness_word, summary

    frame = readiness_frame(STATE.workspace(), lang=lang, company=company).rename(columns=english_name)
    counts = summary(frame)
    if json_out:
        emit_json({"deadline": RETIREMENT.isoformat(), "summary": counts, "accounts": _records(frame),
                   **({"output": str(output)} if output else {})})
    elif frame.empty:
        say("no Microsoft 365 accounts in the inventory")
    else:
        from mailkit.reports import header

        shown = [readiness_word(kind, lang) for kind in frame["readiness"]]
        widths = [max(len(header(c, lang)), *(len(str(v)) for v in values)) for c, values in
                  (("company", frame["company"]), ("email", frame["email"]), ("auth", frame["auth"]),
                   ("readiness", shown))]
        names = ["company", "email", "auth", "readiness", "action"]
        say("  ".join(header(c, lang).ljust(n) for c, n in zip(names, [*widths, 0], strict=True)).rstrip())
        for row, word in zip(frame.itertuples(index=False), shown, strict=True):
            say("  ".join([row.company.ljust(widths[0]), row.email.ljust(widths[1]), row.auth.ljust(widths[2]),
                           word.ljust(widths[3]), row.action]).rstrip())
        say()
        say(f"{counts['blocked']} blocked, {counts['will_break']} will break, {counts['ready']} ready; "
            f"{int(frame['days_left'].iloc[0])} days to {RETIREMENT.isoformat()}")
        if output is not None:
            say(f"wrote {output}")
    if counts["blocked"] or counts["will_break"]:
        raise typer.Exit(1)


def _records(frame: Any) -> list[dict[str, Any]]:
    """Rows as dicts; `emit_json` turns pandas' missing values into null and times into ISO 8601."""
    return frame.to_dict(orient="records")


def print_report(latest: Any, companies: Any, lang: str | None) -> None:
    from mailkit.reports import header

    if latest.empty:
        say("no accounts yet: `mailkit account import FILE`, then `mailkit audit`")
        return
    width = shutil.get_terminal_size((200, 24)).columns if sys.stdout.isatty() else 10_000
    cols = ["company", "email", "status", "remedy"]
    shown = [_shown_status(row) for row in latest.itertuples(index=False)]
    sizes = [max(len(header(c, lang)), *(len(str(v)) for v in values))
             for c, values in zip(cols[:3], [latest["company"], latest["email"], shown], strict=True)]
    say("  ".join(header(c, lang).ljust(n) for c, n in zip(cols, [*sizes, 0], strict=True)).rstrip())
    room = max(20, width - sum(sizes) - 6)
    for row in latest.itertuples(index=False):
        remedy = "" if row.status == "ok" else str(row.remedy)
        remedy = remedy if len(remedy) <= room else remedy[: room - 1] + "…"
        say("  ".join([row.company.ljust(sizes[0]), row.email.ljust(sizes[1]),
                       _shown_status(row).ljust(sizes[2]), remedy]).rstrip())
    say()
    say(f"{header('company', lang):<24} {header('accounts', lang):>8} {'ok':>5} {header('broken', lang):>14} "
        f"{header('not_checked', lang):>14} {header('health', lang):>8}")
    for row in companies.itertuples(index=False):
        ok = getattr(row, "ok", 0)
        say(f"{row.company:<24} {row.accounts:>8} {ok:>5} {row.broken:>14} {row.not_checked:>14} "
            f"{row.health:>8.0%}")


def _shown_status(row: Any) -> str:
    """The status, with the kind of TLS failure after a tls_error: `tls_error (hostname_mismatch)`."""
    kind = getattr(row, "tls_kind", "")
    return f"{row.status} ({kind})" if row.status and isinstance(kind, str) and kind else (row.status or "-")


def register(app: typer.Typer) -> None:
    app.command("report")(report)


__all__ = ["print_report", "readiness_report", "register", "report"]
