"""mailkit as an admin runs it, outside the test harness.

No PYTHON_KEYRING_BACKEND (keyring's own backend detection, with keyrings.alt and keyrings.cryptfile
installed as a user might have them), a fresh HOME, the `mailkit` command from the venv, a folder
outside the repository, the default concurrency. The story: `mailkit demo`, the sandbox started again
on the demo's state as its last lines say, ten audits one after the other, three audits of the same
workspace at once (three processes: the workspace's lock lets one run and refuses the others), then
`mailkit report --json`. Every audit that runs must finish with exactly the statuses the sandbox's accounts
imply: 0 crashes, 0 false statuses.

    python .ci/as_a_user.py [--audits 10] [--parallel 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.sandbox_fixtures import EXPECTED_SIGN_IN  # noqa: E402  (the one table of what each account gives)

LOCKED_EXIT = 75  # mailkit.audit_lock: another audit of the workspace holds its lock

#: The demo revokes one consent on purpose: that account is refused after the demo as during it.
EXPECTED = {**EXPECTED_SIGN_IN, "avisos.tallerruiz@gmail.com": "oauth_reauth_required"}


def strict_json(text: str) -> object:
    def refuse(name: str) -> None:
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def wrong_statuses(audit_json: str) -> dict[str, tuple[str, str]]:
    got = {r["email"]: r["status"] for r in strict_json(audit_json)["results"]}
    return {e: (got.get(e, "missing"), want) for e, want in EXPECTED.items() if got.get(e) != want}


def crashed(done: subprocess.CompletedProcess[str]) -> bool:
    return "Traceback" in done.stderr or done.returncode not in (0, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=10)
    parser.add_argument("--parallel", type=int, default=3)
    args = parser.parse_args()
    mailkit = shutil.which("mailkit")
    if mailkit is None:
        print("as a user: the `mailkit` command is not on PATH", file=sys.stderr)
        return 2
    home = Path(tempfile.mkdtemp(prefix="mailkit-user-"))
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHON_KEYRING_BACKEND", "MAILKIT_HOME",
                                                            "MAILKIT_SANDBOX", "MAILKIT_LANG"}}
    env["HOME"] = str(home)
    workspace = home / ".mailkit" / "demo"
    failures: list[str] = []

    done = run([mailkit, "demo", "--no-progress"], env, home)
    print(f"as a user: mailkit demo -> exit {done.returncode}")
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], sep="\n", file=sys.stderr)
        return 1
    sandbox = subprocess.Popen([mailkit, "--home", str(workspace), "sandbox"], env=env, cwd=home,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        sandbox.stdout.readline()  # its one JSON line: ready
        env["MAILKIT_SANDBOX"] = str(workspace / "sandbox" / "sandbox.json")
        audit = [mailkit, "--home", str(workspace), "audit", "--json"]
        started = time.monotonic()
        for i in range(args.audits):
            done = run(audit, env, home)
            wrong = {} if crashed(done) else wrong_statuses(done.stdout)
            if crashed(done) or wrong:
                failures.append(f"audit {i + 1}: exit {done.returncode}, wrong {wrong}, {done.stderr[-800:]}")
        print(f"as a user: {args.audits} audits in a row in {time.monotonic() - started:.1f} s")
        together = [subprocess.Popen(audit, env=env, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True) for _ in range(args.parallel)]
        finished = 0
        for i, child in enumerate(together):
            out, err = child.communicate(timeout=300)
            if child.returncode == LOCKED_EXIT and "another audit of the workspace" in err:
                continue  # the workspace's audit lock: one runs, the others say who holds it
            finished += 1
            result = subprocess.CompletedProcess(audit, child.returncode, out, err)
            wrong = {} if crashed(result) else wrong_statuses(out)
            if crashed(result) or wrong:
                failures.append(f"parallel audit {i + 1}: exit {child.returncode}, wrong {wrong}, {err[-800:]}")
        if finished == 0:
            failures.append("parallel audits: none ran, every one was refused by the lock")
        print(f"as a user: {args.parallel} audits of one workspace at once, {finished} ran, "
              f"{args.parallel - finished} refused by the lock")
        done = run([mailkit, "--home", str(workspace), "report", "--json"], env, home)
        latest = {a["email"]: a["status"] for a in strict_json(done.stdout)["accounts"]}
        wrong = {e: (latest.get(e), want) for e, want in EXPECTED.items() if latest.get(e) != want}
        if wrong:
            failures.append(f"report: wrong {wrong}")
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    for failure in failures:
        print(f"as a user: FAILED {failure}", file=sys.stderr)
    total = args.audits + args.parallel
    print(f"as a user: {total} audits and a report, {len(failures)} failed; statuses as expected: "
          f"{'yes' if not failures else 'no'}")
    shutil.rmtree(home, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
