"""Install, find and remove a workspace's scheduled audit with the scheduler the machine has: a systemd user
timer (Linux with a user bus), a launchd agent (macOS), a Task Scheduler task (Windows), else a crontab line,
else the line to add by hand. Everything the schedulers are told is written by `mailkit.schedule.jobs`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mailkit.errors import UsageError
from mailkit.schedule import jobs
from mailkit.schedule.jobs import Job

VIAS = ("auto", "systemd", "launchd", "schtasks", "cron", "print")
_TIMEOUT = 30


@dataclass
class Installed:
    """Where a workspace's job is (or what to do by hand): `via`, the files or entries, a note for the admin."""

    via: str
    where: list[str] = field(default_factory=list)
    active: bool = True
    note: str = ""
    next_run: str = ""


def _run(argv: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(argv, 127, "", str(exc))


def _first_line(done: subprocess.CompletedProcess[str]) -> str:
    return next((line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()),
                f"exit {done.returncode}")


# --- which scheduler -------------------------------------------------------------------------------
def user_bus() -> tuple[bool, str]:
    """Whether `systemctl --user` can reach a user manager (not so in containers, cron, ssh without lingering)."""
    if shutil.which("systemctl") is None:
        return False, "systemctl not found"
    done = _run(["systemctl", "--user", "show-environment"])
    return done.returncode == 0, _first_line(done) if done.returncode else ""


def choose(via: str) -> str:
    """The scheduler to use: the one asked for, else the platform's, else cron, else print."""
    if via not in VIAS:
        raise UsageError(f"--via {via!r}: choose one of {', '.join(VIAS)}")
    if via != "auto":
        return via
    if sys.platform == "darwin":
        return "launchd"
    if os.name == "nt":
        return "schtasks"
    if user_bus()[0]:
        return "systemd"
    return "cron" if shutil.which("crontab") else "print"


# --- systemd ---------------------------------------------------------------------------------------
def systemd_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def _systemd_files(name: str) -> tuple[Path, Path]:
    folder = systemd_dir()
    return folder / f"{name}.service", folder / f"{name}.timer"


def install_systemd(job: Job) -> Installed:
    service, timer = _systemd_files(job.name)
    service.parent.mkdir(parents=True, exist_ok=True)
    service.write_text(jobs.systemd_service(job), encoding="utf-8")
    timer.write_text(jobs.systemd_timer(job), encoding="utf-8")
    where = [str(service), str(timer)]
    reachable, why = user_bus()
    if reachable:
        reload, enable = _run(["systemctl", "--user", "daemon-reload"]), None
        if reload.returncode == 0:
            enable = _run(["systemctl", "--user", "enable", "--now", timer.name])
        if enable is not None and enable.returncode == 0:
            return Installed("systemd", where, next_run=_systemd_next(timer.name))
        why = _first_line(enable or reload)
    return Installed("systemd", where, active=False,
                     note=f"written but not enabled (systemctl --user: {why}); in a session with a user bus run "
                     f"`systemctl --user daemon-reload && systemctl --user enable --now {timer.name}`")


def _systemd_next(timer: str) -> str:
    done = _run(["systemctl", "--user", "show", timer, "--property=NextElapseUSecRealtime", "--value"])
    return done.stdout.strip() if done.returncode == 0 else ""


def find_systemd(name: str) -> Installed | None:
    service, timer = _systemd_files(name)
    if not (service.exists() or timer.exists()):
        return None
    reachable, why = user_bus()
    active = reachable and _run(["systemctl", "--user", "is-active", timer.name]).stdout.strip() == "active"
    note = "" if active else ("timer not active" if reachable else f"not active (systemctl --user: {why})")
    return Installed("systemd", [str(p) for p in (service, timer) if p.exists()], active, note,
                     _systemd_next(timer.name) if active else "")


def remove_systemd(name: str) -> list[str]:
    service, timer = _systemd_files(name)
    if not (service.exists() or timer.exists()):
        return []
    if user_bus()[0]:
        _run(["systemctl", "--user", "disable", "--now", timer.name])
    removed = [str(p) for p in (timer, service) if p.exists()]
    for path in (timer, service):
        path.unlink(missing_ok=True)
    if user_bus()[0]:
        _run(["systemctl", "--user", "daemon-reload"])
    return removed


# --- launchd (macOS) -------------------------------------------------------------------------------
def _plist_path(job_or_name: str) -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"org.mailkit.{job_or_name}.plist"


def install_launchd(job: Job) -> Installed:
    path = _plist_path(job.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jobs.launchd_plist(job))
    domain = f"gui/{os.getuid()}"  # type: ignore[attr-defined,unused-ignore]
    _run(["launchctl", "bootout", f"{domain}/{jobs.launchd_label(job)}"])  # an earlier version of the same job
    done = _run(["launchctl", "bootstrap", domain, str(path)])
    if done.returncode != 0:
        return Installed("launchd", [str(path)], False, f"written but not loaded (launchctl: {_first_line(done)})")
    return Installed("launchd", [str(path)])


def find_launchd(name: str) -> Installed | None:
    path = _plist_path(name)
    return Installed("launchd", [str(path)]) if path.exists() else None


def remove_launchd(name: str) -> list[str]:
    path = _plist_path(name)
    if not path.exists():
        return []
    if shutil.which("launchctl"):
        _run(["launchctl", "bootout", f"gui/{os.getuid()}/org.mailkit.{name}"])  # type: ignore[attr-defined,unused-ignore]
    path.unlink()
    return [str(path)]


# --- Windows Task Scheduler ------------------------------------------------------------------------
def install_schtasks(job: Job) -> Installed:
    with tempfile.TemporaryDirectory() as folder:
        xml = Path(folder) / "task.xml"
        xml.write_text(jobs.schtasks_xml(job), encoding="utf-16")
        done = _run(["schtasks", "/Create", "/TN", jobs.schtasks_name(job), "/XML", str(xml), "/F"])
    if done.returncode != 0:
        raise UsageError(f"schtasks /Create failed: {_first_line(done)}")
    return Installed("schtasks", [jobs.schtasks_name(job)])


def find_schtasks(name: str) -> Installed | None:
    if shutil.which("schtasks") is None:
        return None
    done = _run(["schtasks", "/Query", "/TN", f"\\mailkit\\{name}", "/FO", "LIST"])
    return Installed("schtasks", [f"\\mailkit\\{name}"]) if done.returncode == 0 else None


def remove_schtasks(name: str) -> list[str]:
    if find_schtasks(name) is None:
        return []
    _run(["schtasks", "/Delete", "/TN", f"\\mailkit\\{name}", "/F"])
    return [f"\\mailkit\\{name}"]


# --- cron ------------------------------------------------------------------------------------------
def _crontab() -> list[str]:
    """The user's crontab lines (none when there is no crontab yet)."""
    done = _run(["crontab", "-l"])
    if done.returncode != 0:
        if "no crontab" in done.stderr.lower():
            return []
        raise UsageError(f"crontab -l failed: {_first_line(done)}")
    return done.stdout.splitlines()


def _write_crontab(lines: list[str]) -> None:
    done = _run(["crontab", "-"], stdin="\n".join(lines) + "\n" if lines else "")
    if done.returncode != 0:
        raise UsageError(f"crontab - failed: {_first_line(done)}")


def cron_daemon_running() -> bool | None:
    """Whether a cron daemon runs (Linux: a `cron`/`crond` process in /proc); None where that cannot be seen.
    Containers often have the crontab command but no daemon: the line is then kept but never run."""
    proc = Path("/proc")
    if not (proc / "self" / "comm").exists():
        return None
    for comm in proc.glob("[0-9]*/comm"):
        try:
            if comm.read_text(encoding="utf-8", errors="replace").strip() in ("cron", "crond", "cronie"):
                return True
        except OSError:
            continue
    return False


_NO_CRON_DAEMON = "no cron daemon is running on this machine: the line is kept but runs only once cron is started"


def install_cron(job: Job) -> Installed:
    line = jobs.cron_line(job)
    marker = jobs.cron_marker(job)
    kept = [existing for existing in _crontab() if not existing.rstrip().endswith(marker)]
    _write_crontab([*kept, line])
    running = cron_daemon_running() is not False
    return Installed("cron", ["crontab: " + line], running, "" if running else _NO_CRON_DAEMON)


def find_cron(name: str) -> Installed | None:
    if shutil.which("crontab") is None:
        return None
    marker = f"# {name}"
    found = [line for line in _crontab() if line.rstrip().endswith(marker)]
    if not found:
        return None
    upcoming = jobs.cron_next(" ".join(found[0].split()[:5]), datetime.now())
    running = cron_daemon_running() is not False
    return Installed("cron", ["crontab: " + line for line in found], running, "" if running else _NO_CRON_DAEMON,
                     upcoming.strftime("%Y-%m-%d %H:%M (local time)") if upcoming and running else "")


def remove_cron(name: str) -> list[str]:
    if shutil.which("crontab") is None:
        return []
    marker = f"# {name}"
    lines = _crontab()
    kept = [line for line in lines if not line.rstrip().endswith(marker)]
    if len(kept) == len(lines):
        return []
    _write_crontab(kept)
    return ["crontab: " + line for line in lines if line not in kept]


# --- all together ----------------------------------------------------------------------------------
def install(job: Job, via: str = "auto") -> Installed:
    """Install the job (replacing this workspace's earlier one wherever it was)."""
    chosen = choose(via)
    if chosen == "cron":
        jobs.cron_schedule(job.every)  # refuse an interval cron cannot keep before anything changes
    if chosen != "print":
        remove(job.name)
    if chosen == "systemd":
        return install_systemd(job)
    if chosen == "launchd":
        return install_launchd(job)
    if chosen == "schtasks":
        return install_schtasks(job)
    if chosen == "cron":
        return install_cron(job)
    return Installed("print", [jobs.cron_line(job)], active=False,
                     note="nothing installed: add this line to the crontab (`crontab -e`)")


def find(name: str) -> list[Installed]:
    """Every place this workspace's job is installed."""
    found = [find_systemd(name), find_launchd(name), find_cron(name)]
    if os.name == "nt":
        found.append(find_schtasks(name))
    return [f for f in found if f is not None]


def remove(name: str) -> list[str]:
    """Remove the job from every scheduler that has it; what was removed."""
    removed = remove_systemd(name) + remove_launchd(name) + remove_cron(name)
    if os.name == "nt":
        removed += remove_schtasks(name)
    return removed


__all__ = ["VIAS", "Installed", "choose", "cron_daemon_running", "find", "install", "remove", "systemd_dir", "user_bus"]
