"""Scheduled audits: the interval, the exact unit/plist/task/crontab text, installing and removing for real
(the machine's crontab; systemd units in a temporary XDG_CONFIG_HOME, as this machine has no user bus), the
job's command run as cron runs it, and a job that finds another audit running."""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from mailkit.audit_lock import audit_lock
from mailkit.errors import UsageError
from mailkit.schedule import installer
from mailkit.schedule.interval import Interval, parse_interval
from mailkit.schedule.jobs import (
    Job,
    cron_line,
    cron_next,
    job_name,
    launchd_plist,
    schtasks_xml,
    systemd_service,
    systemd_timer,
)
from mailkit.schedule.run import log_path
from tests.bulk_fleet import app_password, bulk_workspace, running_bulk_sandbox
from tests.cli_helpers import run_mailkit

JOB = Job(Path("/srv/mail kit/ws"), Interval(6 * 3600), "sklep", ("/opt/mk/bin/mailkit",), (("MAILKIT_LANG", "es"),))
ENV = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


# --- interval ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "seconds", "label"), [("30m", 1800, "30m"), ("6h", 21600, "6h"), ("1d", 86400, "1d"),
                                                         ("90 min", 5400, "90m"), ("2 days", 172800, "2d")])
def test_intervals(text, seconds, label):
    assert parse_interval(text) == Interval(seconds) and Interval(seconds).label == label


@pytest.mark.parametrize("text", ["", "6", "6x", "h6", "-1h", "1m", "40d", "6h30m"])
def test_bad_intervals(text):
    with pytest.raises(UsageError, match="--every"):
        parse_interval(text)


def test_a_bad_interval_is_one_line_and_exit_2(workspace):
    done = run_mailkit("schedule", "install", "--every", "soon", home=workspace.home)
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [
        "error: --every 'soon': give a number and a unit, e.g. 30m, 6h or 1d"]


# --- what each scheduler is told ----------------------------------------------------------------------
def test_systemd_units_exactly():
    assert systemd_service(JOB) == (
        "[Unit]\nDescription=mailkit audit of /srv/mail kit/ws\n\n[Service]\nType=oneshot\n"
        "Environment=MAILKIT_LANG=es\n"
        'ExecStart=/opt/mk/bin/mailkit --home "/srv/mail kit/ws" schedule run --company sklep\nNice=10\n')
    name = job_name(JOB.home)
    assert systemd_timer(JOB) == (
        "[Unit]\nDescription=mailkit audit of /srv/mail kit/ws every 6h\n\n[Timer]\nOnActiveSec=6h\n"
        f"OnUnitActiveSec=6h\nAccuracySec=1min\nUnit={name}.service\n\n[Install]\nWantedBy=timers.target\n")
    assert "OnActiveSec=30min\n" in systemd_timer(Job(JOB.home, Interval(1800)))


def test_a_percent_sign_in_a_path_is_no_systemd_specifier():
    job = Job(Path("/srv/100%/ws"), Interval(3600), executable=("/opt/mk/bin/mailkit",))
    assert "--home /srv/100%%/ws " in systemd_service(job)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verifies_the_units(tmp_path):
    job = Job.here(tmp_path / "my ws", Interval(6 * 3600))
    (tmp_path / f"{job.name}.service").write_text(systemd_service(job))
    (tmp_path / f"{job.name}.timer").write_text(systemd_timer(job))
    done = subprocess.run(["systemd-analyze", "verify", str(tmp_path / f"{job.name}.service"),
                           str(tmp_path / f"{job.name}.timer")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr  # warnings would be on stderr
    (tmp_path / f"{job.name}.service").write_text(systemd_service(job).replace("Type=oneshot", "Type=sometimes"))
    bad = subprocess.run(["systemd-analyze", "verify", str(tmp_path / f"{job.name}.service")], capture_output=True,
                         text=True, timeout=60)
    assert "Failed to parse service type" in bad.stderr  # the check can fail


def test_the_launchd_agent_exactly():
    agent = plistlib.loads(launchd_plist(JOB))
    assert agent == {"Label": f"org.mailkit.{JOB.name}", "StartInterval": 21600, "RunAtLoad": False,
                     "ProcessType": "Background", "EnvironmentVariables": {"MAILKIT_LANG": "es"},
                     "ProgramArguments": ["/opt/mk/bin/mailkit", "--home", "/srv/mail kit/ws", "schedule", "run",
                                          "--company", "sklep"]}
    assert launchd_plist(JOB).startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist')


def test_the_windows_task_exactly():
    text = schtasks_xml(JOB)
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    root = ET.fromstring(text.split("\n", 1)[1])
    assert root.find("t:Triggers/t:TimeTrigger/t:Repetition/t:Interval", ns).text == "PT6H"
    assert root.find("t:Actions/t:Exec/t:Command", ns).text == "/opt/mk/bin/mailkit"
    arguments = root.find("t:Actions/t:Exec/t:Arguments", ns).text
    assert arguments == '--home "/srv/mail kit/ws" schedule run --company sklep'
    assert root.find("t:Settings/t:MultipleInstancesPolicy", ns).text == "IgnoreNew"
    assert root.find("t:Principals/t:Principal/t:LogonType", ns).text == "InteractiveToken"


def test_the_crontab_line_exactly():
    assert cron_line(JOB) == ("0 */6 * * * env MAILKIT_LANG=es /opt/mk/bin/mailkit --home '/srv/mail kit/ws' "
                              f"schedule run --company sklep >/dev/null 2>&1 # {JOB.name}")
    assert cron_line(Job(Path("/w"), Interval(900), executable=("/m",))).startswith("*/15 * * * * /m --home /w ")
    assert cron_line(Job(Path("/w"), Interval(86400), executable=("/m",))).startswith("0 0 * * * ")
    with pytest.raises(UsageError, match="cron cannot repeat"):
        cron_line(Job(Path("/w"), Interval(7 * 3600), executable=("/m",)))


def test_the_next_cron_run():
    now = datetime(2026, 12, 1, 18, 47, 30)
    assert cron_next("*/30 * * * *", now) == datetime(2026, 12, 1, 19, 0)
    assert cron_next("0 */6 * * *", now) == datetime(2026, 12, 2, 0, 0)
    assert cron_next("0 0 */2 * *", now) == datetime(2026, 12, 3, 0, 0)
    assert cron_next("@daily", now) is None


# --- installing for real ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def job_sandbox(tmp_path_factory: pytest.TempPathFactory):
    yield from running_bulk_sandbox(tmp_path_factory.mktemp("scheduled"), 2, busy=0)


@pytest.fixture
def job_workspace(job_sandbox, workspace, monkeypatch):
    monkeypatch.setenv("MAILKIT_SANDBOX", str(job_sandbox.info_path))
    keyring.set_keyring(fail.Keyring())
    bulk_workspace(workspace, 2)
    return workspace


def _crontab() -> str:
    done = subprocess.run(["crontab", "-l"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else ""


@pytest.mark.skipif(shutil.which("crontab") is None, reason="no crontab (.ci/run installs cron)")
def test_cron_install_run_as_cron_does_status_and_remove(job_workspace, job_sandbox, tmp_path):
    before = _crontab()
    env = {**ENV, "MAILKIT_SANDBOX": str(job_sandbox.info_path)}
    try:
        done = run_mailkit("schedule", "install", "--every", "30m", "--via", "cron", "--json", home=job_workspace.home,
                           env=env)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["via"] == "cron"
        assert json.loads(done.stdout)["active"] is (installer.cron_daemon_running() is not False)
        line = next(x for x in _crontab().splitlines() if x.endswith(job_name(job_workspace.home)))
        assert line.startswith("*/30 * * * * env MAILKIT_SANDBOX=") and f"{sys.executable[:-6]}mailkit" in line
        again = run_mailkit("schedule", "install", "--every", "1h", "--via", "cron", home=job_workspace.home, env=env)
        assert again.returncode == 0 and _crontab().count(job_name(job_workspace.home)) == 1  # replaced, not added
        line = next(x for x in _crontab().splitlines() if x.endswith(job_name(job_workspace.home)))
        command = line.split(" ", 5)[5]  # what cron hands to /bin/sh, with cron's bare environment
        ran = subprocess.run(["/bin/sh", "-c", command], env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
                                                              "SHELL": "/bin/sh", "LOGNAME": "root"}, timeout=120)
        assert ran.returncode == 0
        log = log_path(job_workspace).read_text()
        assert "audit run 1 finished: 3 of 3 checked, 3 ok, 0 not ok [ok 3]" in log
        assert not any(app_password(i) in log.replace(" ", "") for i in range(2))  # no secret in the log
        status = run_mailkit("schedule", "status", "--json", home=job_workspace.home, env=env)
        data = json.loads(status.stdout)
        assert [p["via"] for p in data["installed"]] == ["cron"]
        if installer.cron_daemon_running() is False:  # a container: the crontab command but no daemon
            assert not data["installed"][0]["active"] and "no cron daemon" in data["installed"][0]["note"]
        else:
            assert data["installed"][0]["next_run"].endswith(":00 (local time)")  # hourly, on the hour
        assert data["last_run"]["id"] == 1 and data["last_run"]["counts"] == {"ok": 3}
        removed = run_mailkit("schedule", "remove", home=job_workspace.home, env=env)
        assert removed.returncode == 0 and "removed crontab: 0 * * * *" in removed.stdout
        assert job_name(job_workspace.home) not in _crontab()
    finally:
        installer.remove(job_name(job_workspace.home))
    assert _crontab() == before  # the other lines kept as they were


def test_systemd_units_in_a_temporary_config_home(workspace, tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = run_mailkit("schedule", "install", "--every", "6h", "--via", "systemd", home=workspace.home, env=env)
    folder = tmp_path / "config" / "systemd" / "user"
    name = job_name(workspace.home)
    assert sorted(p.name for p in folder.iterdir()) == [f"{name}.service", f"{name}.timer"]
    assert "OnUnitActiveSec=6h" in (folder / f"{name}.timer").read_text()
    if installer.user_bus()[0]:
        assert done.returncode == 0, done.stderr
    else:  # this machine: no user bus, so written but not enabled, and it says how to enable them
        assert done.returncode == 2 and f"systemctl --user enable --now {name}.timer" in done.stderr
    status = run_mailkit("schedule", "status", home=workspace.home, env=env)
    assert f"{name}: systemd" in status.stdout and str(folder / f"{name}.timer") in status.stdout
    removed = run_mailkit("schedule", "remove", home=workspace.home, env=env)
    assert removed.returncode == 0 and list(folder.iterdir()) == []
    assert "no scheduled audit" in run_mailkit("schedule", "status", home=workspace.home, env=env).stdout


def test_auto_takes_what_the_machine_has():
    chosen = installer.choose("auto")
    if sys.platform.startswith("linux"):
        assert chosen == ("systemd" if installer.user_bus()[0] else "cron" if shutil.which("crontab") else "print")
    with pytest.raises(UsageError, match="--via"):
        installer.choose("at")


def test_print_installs_nothing(workspace):
    done = run_mailkit("schedule", "install", "--every", "1d", "--via", "print", home=workspace.home)
    assert done.returncode == 0 and done.stdout.startswith("0 0 * * * ") and "crontab -e" in done.stderr
    assert job_name(workspace.home) not in _crontab()


def test_a_scheduled_run_that_finds_the_lock_skips_quietly(job_workspace, job_sandbox):
    env = {**ENV, "MAILKIT_SANDBOX": str(job_sandbox.info_path)}
    with audit_lock(job_workspace):
        done = run_mailkit("schedule", "run", home=job_workspace.home, env=env)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    last = log_path(job_workspace).read_text().splitlines()[-1]
    assert f"skipped: another audit of the workspace {job_workspace.home} is running (process {os.getpid()}" in last
    ran = run_mailkit("schedule", "run", home=job_workspace.home, env=env)
    assert ran.returncode == 0 and "audit run 1 finished" in log_path(job_workspace).read_text()


def test_a_scheduled_run_that_cannot_start_says_why_and_fails(workspace):
    done = run_mailkit("schedule", "run", home=workspace.home, env={"MAILKIT_SANDBOX": "/nonexistent/sandbox.json"})
    assert done.returncode == 2


@pytest.mark.skipif(not Path("/proc/self/comm").exists(), reason="no /proc")
def test_a_cron_daemon_is_seen_by_its_process_name(tmp_path):
    fake = tmp_path / "cron"  # a process named like the daemon (the real one is not started on test machines)
    shutil.copy("/bin/sleep", fake)
    before = installer.cron_daemon_running()
    child = subprocess.Popen([str(fake), "30"])
    try:
        time.sleep(0.2)
        assert installer.cron_daemon_running() is True
    finally:
        child.kill()
        child.wait()
    assert installer.cron_daemon_running() is before
