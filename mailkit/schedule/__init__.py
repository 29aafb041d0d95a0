"""Scheduled audits: the job each scheduler runs (`jobs`), installing and removing it (`installer`), the headless
run it starts (`run`), how often (`interval`).

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.schedule.installer import Installed, find, install, remove
    from mailkit.schedule.interval import Interval, parse_interval
    from mailkit.schedule.jobs import Job, job_name
    from mailkit.schedule.run import DigestRequest, JobOutcome, last_logged_run, log_path, run_job

_SOURCES: dict[str, list[str]] = {
    "installer": ["find", "install", "Installed", "remove"],
    "interval": ["Interval", "parse_interval"],
    "jobs": ["Job", "job_name"],
    "run": ["DigestRequest", "JobOutcome", "last_logged_run", "log_path", "run_job"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = ["DigestRequest", "Installed", "Interval", "Job", "JobOutcome", "find", "install", "job_name",
    "last_logged_run", "log_path", "parse_interval", "remove", "run_job"]
