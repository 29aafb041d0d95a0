"""`mailkit demo`: the quick start — the whole admin story on the sandbox, no Google account needed."""

from __future__ import annotations

import typer

from mailkit.cli.common import STATE, say
from mailkit.i18n import resolve_lang


def demo(
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show the audit's progress bar."),
) -> None:
    """Start the local Gmail sandbox, load the sample companies, set up their accounts (some broken on
    purpose), audit them all with test sends, and print the report (also written as .xlsx)."""
    from mailkit import reports
    from mailkit.cli.audit_cmds import print_report
    from mailkit.demo import run_demo

    lang = resolve_lang(STATE.lang)
    home = STATE.home / "demo"
    broken, report_path = run_demo(home, lang=lang, say=say, progress=progress)
    say()
    say("5. report (latest status of every account, with cause and remedy):")
    latest = reports.status(STATE.workspace().__class__(home), lang=lang).rename(columns=reports.english_name)
    print_report(latest, reports.by_company(frame=latest), lang)
    say()
    say(f"Excel report: {report_path}")
    say(f"Try one account step by step: mailkit sandbox --state-dir {home / 'sandbox'} &  then "
        f"MAILKIT_SANDBOX={home / 'sandbox' / 'sandbox.json'} mailkit --home {home} check crm@biuro-kowalski.example")
    say(f"{broken} accounts need attention: each line above says what to click or run.")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
