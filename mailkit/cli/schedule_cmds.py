"""`mailkit schedule install|status|remove|run`: audit a workspace on a timer, headless, logged in the workspace."""

from __future__ import annotations

import typer

from mailkit.cli.common import STATE, JsonOption, emit_json, say

schedule_app = typer.Typer(help="Run the audit of this workspace on a timer (systemd, launchd, Task Scheduler "
                           "or cron).", no_args_is_help=True)


@schedule_app.command("install")
def install_command(
    every: str = typer.Option(..., "--every", help="How often: 30m, 6h, 1d."),
    company: str = typer.Option(None, "--company", help="Only this company (slug or name)."),
    via: str = typer.Option("auto", "--via", help="systemd, launchd, schtasks, cron, or print (only show the "
                            "crontab line); default: what this machine has."),
    digest_to: str = typer.Option(None, "--digest-to", metavar="ADDRESS", help="After each run, mail this address "
                                  "what changed (newly broken, fixed, breaking soon)."),
    digest_attach: bool = typer.Option(False, "--digest-attach", help="Attach the .xlsx report to the digest."),
    digest_always: bool = typer.Option(False, "--digest-always", help="Send the digest even when nothing changed."),
    json_out: bool = JsonOption,
) -> None:
    """Install (or replace) the scheduled audit of this workspace."""
    from mailkit.schedule import Job, install, parse_interval

    digest = _digest_request(digest_to, digest_attach, digest_always)
    job = Job.here(STATE.workspace().ensure().home, parse_interval(every), company,
                   digest.args() if digest else ())
    done = install(job, via)
    if json_out:
        emit_json({"job": job.name, "every": job.every.label, "via": done.via, "where": done.where,
                   "active": done.active, "note": done.note, "next_run": done.next_run})
    elif done.via == "print":
        say(done.where[0])
        say(f"{done.note}", err=True)
    else:
        say(f"scheduled: audit of {job.home} every {job.every.label} via {done.via}")
        for where in done.where:
            say(f"  {where}")
        if done.next_run:
            say(f"  next run: {done.next_run}")
        if done.note:
            say(f"warning: {done.note}", err=True)
    if not done.active and done.via == "systemd":  # units written but not enabled: the install is not finished
        raise typer.Exit(2)


def _digest_request(to: str | None, attach: bool, always: bool, *, settings: bool = True):  # noqa: ANN202
    """The digest options checked (an address; with `settings`, digest settings that can work), as a
    DigestRequest, or None when no digest is asked."""
    from mailkit.digest import check_address, check_settings
    from mailkit.errors import UsageError
    from mailkit.schedule import DigestRequest

    if to is None:
        if attach or always:
            raise UsageError("--digest-attach and --digest-always go with --digest-to ADDRESS")
        return None
    if settings:
        check_settings(STATE.workspace())
    return DigestRequest(check_address(to), attach, always)


@schedule_app.command("status")
def status_command(json_out: bool = JsonOption) -> None:
    """Where this workspace's scheduled audit is installed, its next run when known, and the last run's result."""
    from mailkit.schedule import find, job_name, last_logged_run, log_path

    workspace = STATE.workspace()
    name = job_name(workspace.home)
    found = find(name)
    run_id, last_line = last_logged_run(workspace)
    last = _run_result(workspace, run_id)
    if json_out:
        emit_json({"job": name, "installed": [vars(f) for f in found], "log": str(log_path(workspace)),
                   "last_log_line": last_line, "last_run": last})
        return
    if not found:
        say(f"no scheduled audit of {workspace.home} ({name})")
    for place in found:
        state = "active" if place.active else "not active"
        say(f"{name}: {place.via}, {state}" + (f"; next run {place.next_run}" if place.next_run else ""))
        for where in place.where:
            say(f"  {where}")
        if place.note:
            say(f"  {place.note}")
    if last:
        say(f"last scheduled run: {last['id']} {last['state']} (started {last['started_at']}): "
            + ", ".join(f"{k} {v}" for k, v in sorted(last["counts"].items())))
    elif last_line:
        say(f"last log line: {last_line}")


def _run_result(workspace, run_id: int | None) -> dict | None:  # noqa: ANN001 - a Workspace
    """The logged run as the audit store has it (None when there is none or the store does not know it)."""
    if run_id is None or not workspace.db_path.exists():
        return None
    from mailkit.audit_store import AuditStore
    from mailkit.errors import NotFoundError

    store = AuditStore.open(workspace)
    try:
        run = store.run(run_id)
        return {"id": run.id, "state": run.state, "started_at": run.started_at, "finished_at": run.finished_at,
                "counts": store.counts(run.id)}
    except NotFoundError:
        return None
    finally:
        store.close()


@schedule_app.command("remove")
def remove_command() -> None:
    """Remove this workspace's scheduled audit from every scheduler that has it."""
    from mailkit.schedule import job_name, remove

    name = job_name(STATE.workspace().home)
    removed = remove(name)
    if not removed:
        say(f"no scheduled audit of {STATE.workspace().home} to remove")
    for where in removed:
        say(f"removed {where}")


@schedule_app.command("run")
def run_command(
    company: str = typer.Option(None, "--company", help="Only this company (slug or name)."),
    digest_to: str = typer.Option(None, "--digest-to", metavar="ADDRESS", help="Then mail this address the digest."),
    digest_attach: bool = typer.Option(False, "--digest-attach", help="Attach the .xlsx report to the digest."),
    digest_always: bool = typer.Option(False, "--digest-always", help="Send the digest even when nothing changed."),
) -> None:
    """What the scheduled job runs: one audit, headless, told to <workspace>/logs/schedule.log (and the digest
    mailed when asked). Ends 0 when another audit of the workspace is running (the log says so)."""
    from mailkit.schedule import run_job

    outcome = run_job(STATE.workspace(), company, STATE.lang, _digest_request(digest_to, digest_attach, digest_always,
                                                                               settings=False))
    if outcome.state == "failed":
        say(outcome.line, err=True)
    raise typer.Exit(outcome.exit_code)


def register(app: typer.Typer) -> None:
    app.add_typer(schedule_app, name="schedule")


__all__ = ["register"]
