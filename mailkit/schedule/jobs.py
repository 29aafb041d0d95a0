"""The scheduled job as each scheduler wants it written: a systemd user service + timer, a launchd agent, a
Windows Task Scheduler task, a crontab line. Pure functions of a `Job`: what they return is what is installed.

Every job runs `<mailkit> --home <workspace> schedule run [--company SLUG]` with the mailkit executable of the
environment it was installed from; the run logs to the workspace (`mailkit.schedule.run`).
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import re
import shlex
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from mailkit.errors import UsageError
from mailkit.schedule.interval import DAY, HOUR, MINUTE, Interval

#: Environment carried into the job when set at install time: where Google traffic goes, which keyring, the
#: language, the DNS server. None of them holds a secret.
CARRIED_ENV = ("MAILKIT_SANDBOX", "PYTHON_KEYRING_BACKEND", "MAILKIT_LANG", "MAILKIT_NAMESERVER")


def mailkit_executable() -> list[str]:
    """The command that starts this environment's mailkit: its console script beside the interpreter, else
    `python -m mailkit` with this interpreter (absolute paths either way: schedulers have a bare PATH)."""
    folder = Path(sys.executable).parent
    for name in ("mailkit.exe", "mailkit") if os.name == "nt" else ("mailkit",):
        if (folder / name).is_file():
            return [str((folder / name).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "mailkit"]


def job_name(home: Path) -> str:
    """One job per workspace: its name carries a short hash of the workspace's absolute path."""
    digest = hashlib.sha256(str(Path(home).expanduser().absolute()).encode("utf-8")).hexdigest()[:10]
    return f"mailkit-audit-{digest}"


@dataclass(frozen=True)
class Job:
    """A scheduled audit of one workspace."""

    home: Path
    every: Interval
    company: str | None = None
    executable: tuple[str, ...] = field(default_factory=lambda: tuple(mailkit_executable()))
    env: tuple[tuple[str, str], ...] = ()
    #: `schedule run`'s digest options (`--digest-to ADDRESS` ...), when the run mails a digest.
    digest: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return job_name(self.home)

    @property
    def argv(self) -> list[str]:
        company = ["--company", self.company] if self.company else []
        return [*self.executable, "--home", str(self.home), "schedule", "run", *company, *self.digest]

    @classmethod
    def here(cls, home: Path, every: Interval, company: str | None = None, digest: tuple[str, ...] = ()) -> Job:
        """The job for a workspace, run by this environment's mailkit with the carried environment."""
        env = tuple((k, os.environ[k]) for k in CARRIED_ENV if os.environ.get(k))
        return cls(Path(home).expanduser().absolute(), every, company, env=env, digest=digest)


# --- systemd ---------------------------------------------------------------------------------------
def _systemd_quote(arg: str) -> str:
    """One ExecStart= word: double-quoted when needed; `%` doubled (a specifier otherwise), `\\` and `"` escaped."""
    arg = arg.replace("%", "%%")
    if arg and not any(c in arg for c in ' \t"\'\\;$'):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$") + '"'


def systemd_service(job: Job) -> str:
    env = "".join(f"Environment={_systemd_quote(f'{k}={v}')}\n" for k, v in job.env)
    return (f"[Unit]\nDescription=mailkit audit of {job.home}\n\n"
            f"[Service]\nType=oneshot\n{env}ExecStart={' '.join(_systemd_quote(a) for a in job.argv)}\n"
            "Nice=10\n")


def systemd_timer(job: Job) -> str:
    span = job.every.systemd
    return (f"[Unit]\nDescription=mailkit audit of {job.home} every {job.every.label}\n\n"
            f"[Timer]\nOnActiveSec={span}\nOnUnitActiveSec={span}\nAccuracySec=1min\nUnit={job.name}.service\n\n"
            "[Install]\nWantedBy=timers.target\n")


# --- launchd ---------------------------------------------------------------------------------------
def launchd_label(job: Job) -> str:
    return "org.mailkit." + job.name


def launchd_plist(job: Job) -> bytes:
    agent: dict[str, object] = {"Label": launchd_label(job), "ProgramArguments": job.argv,
                                "StartInterval": job.every.seconds, "RunAtLoad": False, "ProcessType": "Background"}
    if job.env:
        agent["EnvironmentVariables"] = dict(job.env)
    return plistlib.dumps(agent, sort_keys=False)


# --- Windows Task Scheduler ------------------------------------------------------------------------
def schtasks_name(job: Job) -> str:
    return "\\mailkit\\" + job.name


def _iso_duration(seconds: int) -> str:
    if seconds % DAY == 0:
        return f"P{seconds // DAY}D"
    if seconds % HOUR == 0:
        return f"PT{seconds // HOUR}H"
    return f"PT{seconds // MINUTE}M"


def _windows_args(argv: list[str]) -> str:
    import subprocess

    return subprocess.list2cmdline(argv)


def schtasks_xml(job: Job, start: str = "2026-01-01T00:00:00") -> str:
    """A Task Scheduler 1.2 task: repeat every interval forever from `start`, only while the user is logged on
    (no stored password), never two at once. `schtasks /Create /XML` wants it saved as UTF-16."""
    argv = job.argv
    return ('<?xml version="1.0" encoding="UTF-16"?>\n'
            '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">\n'
            f"  <RegistrationInfo><Description>mailkit audit of {escape(str(job.home))} every "
            f"{job.every.label}</Description></RegistrationInfo>\n"
            "  <Triggers>\n    <TimeTrigger>\n"
            f"      <Repetition><Interval>{_iso_duration(job.every.seconds)}</Interval>"
            "<StopAtDurationEnd>false</StopAtDurationEnd></Repetition>\n"
            f"      <StartBoundary>{start}</StartBoundary>\n      <Enabled>true</Enabled>\n"
            "    </TimeTrigger>\n  </Triggers>\n"
            "  <Principals><Principal id=\"Author\"><LogonType>InteractiveToken</LogonType>"
            "<RunLevel>LeastPrivilege</RunLevel></Principal></Principals>\n"
            "  <Settings><MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>"
            "<StartWhenAvailable>true</StartWhenAvailable><ExecutionTimeLimit>PT2H</ExecutionTimeLimit>"
            "</Settings>\n"
            '  <Actions Context="Author">\n    <Exec>\n'
            f"      <Command>{escape(argv[0])}</Command>\n"
            f"      <Arguments>{escape(_windows_args(argv[1:]))}</Arguments>\n"
            "    </Exec>\n  </Actions>\n</Task>\n")


# --- cron ------------------------------------------------------------------------------------------
def cron_schedule(every: Interval) -> str:
    """The five time fields; only intervals cron can keep exactly (minutes dividing an hour, hours dividing a
    day, whole days)."""
    minutes, hours, days = every.seconds // MINUTE, every.seconds // HOUR, every.seconds // DAY
    if every.seconds % DAY == 0:
        return "0 0 * * *" if days == 1 else f"0 0 */{days} * *"
    if every.seconds % HOUR == 0 and 24 % hours == 0:
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    if every.seconds < HOUR and 60 % minutes == 0:
        return f"*/{minutes} * * * *"
    raise UsageError(f"--every {every.label}: cron cannot repeat that exactly; choose minutes that divide an "
                     "hour (5m, 10m, 15m, 20m, 30m), hours that divide a day (1h, 2h, 3h, 4h, 6h, 8h, 12h) or days")


def _cron_field_matches(field_text: str, value: int, first: int) -> bool:
    """`*`, `*/n` (from the field's first value), `n` or a comma list of those."""
    for part in field_text.split(","):
        if part == "*" or (part.isdigit() and int(part) == value):
            return True
        if part.startswith("*/") and part[2:].isdigit() and int(part[2:]) and (value - first) % int(part[2:]) == 0:
            return True
    return False


def cron_next(schedule: str, now: datetime) -> datetime | None:
    """The next minute after `now` (local time, as cron keeps it) that a five-field schedule names; None for
    forms other than `*`, `*/n`, `n` and lists of them, or nothing within 62 days."""
    parts = schedule.split()
    if len(parts) != 5 or not all(re.fullmatch(r"(\*(/\d+)?|\d+)(,(\*(/\d+)?|\d+))*", p) for p in parts):
        return None
    minute, hour, day, month, weekday = parts
    moment = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(62 * 24 * 60):
        if (_cron_field_matches(minute, moment.minute, 0) and _cron_field_matches(hour, moment.hour, 0)
                and _cron_field_matches(day, moment.day, 1) and _cron_field_matches(month, moment.month, 1)
                and _cron_field_matches(weekday, (moment.weekday() + 1) % 7, 0)):
            return moment
        moment += timedelta(minutes=1)
    return None


def cron_marker(job: Job) -> str:
    return f"# {job.name}"


def cron_line(job: Job) -> str:
    """One crontab line; cron gives the command to /bin/sh, where a bare `%` would end it."""
    env = " ".join(shlex.quote(f"{k}={v}") for k, v in job.env)
    command = " ".join(shlex.quote(a) for a in job.argv)
    full = (f"env {env} " if env else "") + command + " >/dev/null 2>&1"
    return f"{cron_schedule(job.every)} {full.replace('%', chr(92) + '%')} {cron_marker(job)}"


__all__ = ["CARRIED_ENV", "Job", "cron_line", "cron_marker", "cron_next", "cron_schedule", "job_name", "launchd_label",
           "launchd_plist", "mailkit_executable", "schtasks_name", "schtasks_xml", "systemd_service",
           "systemd_timer"]
