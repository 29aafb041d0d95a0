"""`mailkit forecast`: what will break in each account and when, with the cause and the remedy."""

from __future__ import annotations

from typing import Any

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, say


def forecast_command(
    days: float = typer.Option(14, "--days", min=0, max=3650, help="How far ahead to look, in days."),
    company: str = typer.Option(None, "--company", help="Only this company (slug or name)."),
    lang: str = typer.Option(None, "--lang", help="Language of the texts: en, es, pl (default: mailkit's --lang)."),
    json_out: bool = JsonOption,
) -> None:
    """What will break (and what already broke) in the next days, account by account: when, why, what to do.
    Exit code 1 when anything is foreseen."""
    from datetime import UTC, datetime

    from mailkit.forecast import forecast
    from mailkit.i18n import resolve_lang

    speak = resolve_lang(lang or STATE.lang)
    now = datetime.now(UTC)
    items = forecast(STATE.workspace(), days, company=company, now=now)
    if json_out:
        emit_json({"days": days, "generated_at": now.isoformat(timespec="seconds"),
                   "items": [i.to_dict(speak, now) for i in items]})
    else:
        _print(items, speak, now, days)
    if items:
        raise typer.Exit(1)


def _print(items: list[Any], lang: str, now: Any, days: float) -> None:
    from mailkit.i18n import N_, text

    if not items:
        say(text(lang, N_("Nothing is foreseen to break in the next {days} days."), days=f"{days:g}"))
        return
    company = None
    for item in items:
        if item.company_name != company:
            company = item.company_name
            say(company)
        say(f"  {item.email}: {item.title(lang)} — {item.headline(lang, now)} ({item.when:%Y-%m-%d %H:%M} UTC)")
        say(f"    {item.cause(lang)}")
        say(f"    → {item.remedy(lang)}")


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast_command)


__all__ = ["register"]
