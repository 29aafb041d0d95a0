"""`mailkit demo`'s last lines, followed as a person pastes them into a shell.

Each line is split like a shell splits it: leading `NAME=value` words go to the environment,
a trailing `&` runs it in the background, and `mailkit` is the command under test (the
editable checkout's `python -m mailkit`, or the `mailkit` script of a venv the wheel went into).
"""

from __future__ import annotations

import json
import re
import select
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.leak_scan import record

HEADER = "The demo's workspace is "


@dataclass
class Step:
    """One pasted line: its words, the variables set before it, whether it ends in `&`."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    background: bool = False

    @property
    def args(self) -> list[str]:
        """The words after `mailkit`."""
        return self.argv[1:]


def next_steps(stdout: str) -> list[Step]:
    """The commands of the demo's last lines, in order; AssertionError when the demo printed none."""
    tail = stdout[stdout.index(HEADER):] if HEADER in stdout else ""
    assert tail, "the demo's output does not end with the commands to look at its data"
    steps = []
    for line in tail.splitlines():
        if not re.match(r"\s+(mailkit |[A-Z_]+=)", line):  # prose, not a command
            continue
        words = shlex.split(line.strip())
        env = {}
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        if words and words[0] == "mailkit":
            background = words[-1] == "&"
            steps.append(Step(words[:-1] if background else words, env, background))
    return steps


def run(step: Step, mailkit: list[str], env: dict[str, str], cwd: Path | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A foreground line, with `mailkit` replaced by the command under test."""
    done = subprocess.run([*mailkit, *step.args], env={**env, **step.env}, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    record(f"`mailkit {' '.join(step.args[2:4])}` after the demo", done.stdout + done.stderr)
    return done


def start(step: Step, mailkit: list[str], env: dict[str, str], cwd: Path | None = None,
          timeout: float = 30) -> tuple[subprocess.Popen[str], dict]:
    """A background `mailkit sandbox` line: the process once it printed its JSON line, and that JSON."""
    assert step.background and "sandbox" in step.args, step
    process = subprocess.Popen([*mailkit, *step.args], env={**env, **step.env}, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        stop(process)
        raise TimeoutError(f"`mailkit sandbox` printed nothing within {timeout} s")
    line = process.stdout.readline()  # type: ignore[union-attr]
    if not line:
        raise AssertionError(f"`mailkit sandbox` ended: {stop(process)}")
    return process, json.loads(line)


def stop(process: subprocess.Popen[str]) -> str:
    """Ctrl-C as a person stops it; what it wrote to stderr."""
    if process.poll() is None:
        process.send_signal(2)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    err = process.stderr.read() if process.stderr else ""  # type: ignore[union-attr]
    record("`mailkit sandbox` after the demo", err)
    return err


def status_of(check_output: str) -> str:
    """The `status:` line of `mailkit check`'s report."""
    found = re.search(r"^\s*status:\s*(\S+)", check_output, re.MULTILINE)
    assert found, check_output
    return found.group(1)
