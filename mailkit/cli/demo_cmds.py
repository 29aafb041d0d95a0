"""`mailkit demo`: the quick start — the whole admin story on the sandbox, no Google account needed.

The demo keeps its own workspace (`<home>/demo`), so it never mixes sample companies into the
admin's real inventory; its last lines are the exact commands that open that workspace.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import typer

from mailkit.cli.common import STATE, say
from mailkit.i18n import resolve_lang


def demo(
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show the audit's progress bar."),
) -> None:
    """Start the local Gmail sandbox, load the sample companies, set up their accounts (some broken on
    purpose), audit them all with test sends, and print the report (also written as .xlsx)."""
    from mailkit import reports
    from mailkit.cli.report_cmds import print_report
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
    say(f"{broken} accounts need attention: each line above says what to click or run.")
    for line in next_steps(home):
        say(line)


#: The account the last lines suggest checking: OAuth, whose token the sandbox must still know after a restart.
TRY_ACCOUNT = "citas.tallerruiz@gmail.com"


def next_steps(home: Path) -> list[str]:
    """The commands that look at the demo's data afterwards, ready to paste."""
    base = f"mailkit --home {shlex.quote(str(home))}"
    info = shlex.quote(str(home / "sandbox" / "sandbox.json"))
    return [
        "",
        f"The demo's workspace is {home} (your own inventory stays in the default one). Look at it with:",
        f"  {base} account list",
        f"  {base} report",
        "Try one account step by step: start the sandbox again on the demo's state (it keeps its OAuth client, "
        "grants and tokens), then check:",
        f"  {base} sandbox &",
        f"  MAILKIT_SANDBOX={info} {base} check {TRY_ACCOUNT} --transcript",
    ]


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
