"""`mailkit workspace …`: a client's Google Workspace domain — delegation, its users, app passwords, tokens.

The group is defined here; its commands live in the modules named in `SUBCOMMAND_MODULES`, each of which
decorates `workspace_app`."""

from __future__ import annotations

import importlib

import typer

workspace_app = typer.Typer(
    help="Google Workspace domains: domain-wide delegation, users from the Directory, app passwords and tokens.",
    no_args_is_help=True)

SUBCOMMAND_MODULES: tuple[str, ...] = ("workspace_delegation_cmds", "workspace_directory_cmds")


def register(app: typer.Typer) -> None:
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(f"mailkit.cli.{name}")
    app.add_typer(workspace_app, name="workspace")


__all__ = ["SUBCOMMAND_MODULES", "register", "workspace_app"]
