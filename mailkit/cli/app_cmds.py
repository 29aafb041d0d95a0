"""`mailkit app`: the notebooks as a point-and-click app in the browser (Voilà, from the notebooks extra)."""

from __future__ import annotations

import os

import typer

from mailkit.cli.common import STATE, say
from mailkit.errors import UsageError
from mailkit.i18n import normalize_lang, text


def app_command(
    port: int = typer.Option(None, "--port", min=1, max=65535, help="Port on 127.0.0.1 (default: a free one)."),
    lang: str = typer.Option(None, "--lang", help="Language of the app: en, es, pl, remembered for the workspace "
                             "(default: the global --lang, MAILKIT_LANG, the remembered one or the locale)."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Only print the address; open no browser."),
    idle_timeout: int = typer.Option(600, "--idle-timeout", min=1, metavar="SECONDS",
                                     help="Stop a page's kernel after this long without its page connected "
                                     "(a closed page stops its kernel at once)."),
) -> None:
    """Open the notebooks as an app in the browser: a home page and one page per step, no code shown,
    served on 127.0.0.1 only. Ctrl-C stops it and every page's kernel."""
    if lang is not None and normalize_lang(lang) is None:
        raise UsageError(f"--lang {lang}: choose en, es or pl")
    try:
        import voila  # noqa: F401 - only to say what to install
    except ImportError as exc:
        raise UsageError("mailkit app needs Voilà: pip install 'mailkit[notebooks]'") from exc
    from mailkit.app import server

    home = STATE.workspace().ensure().home
    chosen = server.app_language(home, lang or STATE.lang or os.environ.get("MAILKIT_LANG"))  # remembered
    settings = server.AppSettings(home=home, lang=chosen, port=server.pick_port(port),
                                  idle_timeout=idle_timeout)
    started = server.start_sandbox_if_needed(settings.home)

    def announce(url: str) -> None:
        typer.echo(url)  # the token in it is this run's key to the app; it dies with the app
        say(text(chosen, "mailkit app is running; open the address above in your browser. Ctrl-C stops it."),
            err=True)

    try:
        server.serve(settings, announce=announce, open_browser=not no_browser)
    finally:
        server.stop_sandbox(started)
    say(text(chosen, "mailkit app stopped."), err=True)


def register(app: typer.Typer) -> None:
    app.command("app")(app_command)


__all__ = ["register"]
