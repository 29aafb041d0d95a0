"""`mailkit domains check`: MX, SPF, DKIM and DMARC of every company domain, with the record to publish."""

from __future__ import annotations

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, say
from mailkit.errors import UsageError

domains_app = typer.Typer(help="Mail authentication (MX, SPF, DKIM, DMARC) of the company domains.",
                          no_args_is_help=True)


@domains_app.command("check")
def domains_check(
    company: str = typer.Option(None, "--company", help="Only this company's domains (slug or name)."),
    lang: str = typer.Option(None, "--lang", help="Language of causes and remedies: en, es, pl."),
    timeout: float = typer.Option(3.0, "--timeout", help="Seconds to wait for one DNS answer."),
    deadline: float = typer.Option(15.0, "--deadline", help="Seconds for all the checks of one domain."),
    json_out: bool = JsonOption,
) -> None:
    """Check the domains of the accounts (not gmail.com, outlook.com, ...). Exit 1 if any finding is not ok.

    MAILKIT_NAMESERVER=IP[:PORT] asks that DNS server instead of the system's.
    """
    from mailkit.domains import check_domains
    from mailkit.i18n import normalize_lang, resolve_lang

    chosen = lang or STATE.lang
    if chosen and normalize_lang(chosen) is None:
        raise UsageError(f"--lang {chosen!r}: choose en, es or pl")
    for name, value in (("--timeout", timeout), ("--deadline", deadline)):
        if not 0 < value <= 600:
            raise UsageError(f"{name} must be between 0 and 600 seconds, not {value}")
    text_lang = resolve_lang(chosen)
    reports = check_domains(STATE.workspace(), company, timeout=timeout, deadline=deadline)
    if json_out:
        emit_json({"domains": [report.as_dict(text_lang) for report in reports]})
    else:
        print_findings(reports, text_lang)
    if any(f.status not in {"ok", "unchecked"} for report in reports for f in report.findings):
        raise typer.Exit(1)


def print_findings(reports: list, lang: str) -> None:
    """One line per check with its cause; under each finding that is not ok, the remedy, never shortened
    (it holds the record to copy)."""
    from mailkit.domains import column_names
    from mailkit.i18n import text

    if not reports:
        say(text(lang, "No company domains to check: personal addresses (gmail.com, outlook.com, ...) are not "
                       "checked."))
        return
    headers = column_names(lang)
    head = [headers[word] for word in ("domain", "check", "status", "cause")]
    widths = [max(len(head[0]), *(len(r.domain) for r in reports)), max(len(head[1]), 5), max(len(head[2]), 9)]
    say(_row(head, widths))
    for report in reports:
        for i, finding in enumerate(report.findings):
            say(_row([report.domain if i == 0 else "", finding.check, finding.status, finding.cause(lang)], widths))
            if finding.status != "ok" and finding.remedy(lang):
                say(_row(["", "", "", f"-> {finding.remedy(lang)}"], widths))


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join([*(cell.ljust(width) for cell, width in zip(cells, widths, strict=False)), cells[-1]])


def register(app: typer.Typer) -> None:
    app.add_typer(domains_app, name="domains")


__all__ = ["domains_app", "print_findings", "register"]
