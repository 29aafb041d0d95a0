"""mailkit as `pip install mailkit-….whl` leaves it, not as the editable checkout the other tests use.

The wheel is built from the sources, installed into a fresh venv (no system site-packages), and
run from a folder outside the repository with a fresh HOME and no PYTHON_KEYRING_BACKEND, so
keyring detects its backend as it does for a user: `mailkit demo`, then its own last lines
(the sandbox restarted on the demo's state), a check that sends the sample invoice, and the
notebooks' sample data through `mailkit.ui`. Whatever mailkit reads from the repository instead
of its package fails here.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mailkit import assets
from tests import demo_hints
from tests.leak_scan import record
from tests.sandbox_fixtures import EXPECTED_SEND

pytestmark = [pytest.mark.wheel, pytest.mark.timeout(420)]

REPO = Path(__file__).resolve().parent.parent
ASSETS = REPO / "mailkit" / "assets"
RECIPIENT = "compras@cliente-wheel.example"
SENDER = "facturas.lupita@gmail.com"  # app password: the send carries the invoice
OAUTH_OK = ("citas.tallerruiz@gmail.com", "facturacion@ferreteria-delnorte.example")


@dataclass
class Installed:
    """A venv with the wheel in it, and the environment a user's shell would give mailkit."""

    root: Path
    wheel: Path
    venv: Path
    env: dict[str, str]
    cwd: Path

    @property
    def mailkit(self) -> list[str]:
        return [str(self.venv / "bin" / "mailkit")]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(list(args), env=self.env, cwd=self.cwd, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        record(f"wheel venv: {' '.join(Path(a).name for a in args[:3])}", done.stdout + done.stderr)
        return done


def build_wheel(root: Path) -> Path:
    """The wheel of a clean copy of the sources (the checkout gets no build/ or egg-info)."""
    source = root / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "mailkit", source / "mailkit", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(root / "dist"), str(source)],
                   check=True, capture_output=True, text=True, timeout=300)
    (wheel,) = (root / "dist").glob("mailkit-*.whl")
    return wheel


def ipywidgets_requirement() -> str:
    """The one package of the notebooks extra that `import mailkit.ui` needs (the rest is for Jupyter)."""
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["notebooks"]
    return next(spec for spec in extra if spec.startswith("ipywidgets"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(root)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    # The machine's pip settings (index, cache) as a user's pip has them; dependencies come from the index.
    pip_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel), ipywidgets_requirement()],
                   check=True, capture_output=True, text=True, env=pip_env, timeout=300)
    home, cwd = root / "home", root / "elsewhere"
    home.mkdir()
    cwd.mkdir()
    env = {"PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "TMPDIR": os.environ.get("TMPDIR", "/tmp")}
    return Installed(root, wheel, venv, env, cwd)


@pytest.fixture(scope="module")
def demo(installed: Installed) -> subprocess.CompletedProcess[str]:
    return installed.run(*installed.mailkit, "demo", "--no-progress", timeout=180)


@pytest.fixture(scope="module")
def sandbox(installed: Installed, demo: subprocess.CompletedProcess[str]) -> Iterator[dict]:
    """`mailkit sandbox` from the wheel's venv, started as the demo's last lines say."""
    step = next(s for s in demo_hints.next_steps(demo.stdout) if s.background)
    process, info = demo_hints.start(step, installed.mailkit, installed.env, cwd=installed.cwd)
    yield info
    demo_hints.stop(process)


def test_mailkit_finds_its_files_through_its_package_only() -> None:
    """No module builds a path from its own location (the way `data/` was read from the checkout)."""
    pattern = re.compile(r"__file__|[\"']data[\"']\s*/|/\s*[\"']data[\"']")
    offenders = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
                 for path in sorted((REPO / "mailkit").rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == [], "read it with mailkit.assets:\n" + "\n".join(offenders)


def test_each_shipped_file_exists_once_in_the_repository() -> None:
    """One copy of the sandbox's accounts (and of every other asset): the one inside the package."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True)
    contents = {p.read_bytes(): p.relative_to(REPO).as_posix() for p in ASSETS.rglob("*")
                if p.is_file() and p.suffix != ".pyc" and p.name != "__init__.py"}
    copies = [(name, contents[(REPO / name).read_bytes()]) for name in tracked.stdout.split("\0")
              if name and not name.startswith("mailkit/assets/") and (REPO / name).is_file()
              and (REPO / name).read_bytes() in contents]
    assert copies == []
    assert assets.asset_path(assets.SANDBOX_ACCOUNTS) == ASSETS / "sandbox" / "accounts.toml"


def test_the_wheel_carries_every_asset_and_runs_from_its_venv(installed: Installed) -> None:
    shipped = {p.relative_to(REPO).as_posix() for p in ASSETS.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    shipped |= {f"mailkit/assets/notebooks/{p.name}" for p in (REPO / "notebooks").glob("*.ipynb")}  # a link
    shipped |= {p.relative_to(REPO).as_posix() for p in (REPO / "mailkit" / "app" / "share").rglob("*") if p.is_file()}
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    assert shipped <= names, sorted(shipped - names)
    where = installed.run(str(installed.venv / "bin" / "python"), "-c",
                          "import mailkit, keyring, os; print(mailkit.__file__); print(os.environ.get("
                          "'PYTHON_KEYRING_BACKEND', '-'))")
    module, backend_env = where.stdout.split()
    assert Path(module).is_relative_to(installed.venv) and backend_env == "-", where.stdout + where.stderr
    app = installed.run(str(installed.venv / "bin" / "python"), "-c",
                        "from mailkit.app import server, steps; print(steps.notebooks_dir()); "
                        "print(server.package_share()); print(len(steps.steps('es')), steps.steps('es')[0].title)")
    folder, share, count = app.stdout.splitlines()
    assert Path(folder).is_relative_to(installed.venv) and Path(share).is_relative_to(installed.venv), app.stdout
    assert count == f"{len(list((REPO / 'notebooks').glob('*.ipynb')))} Inicio", app.stdout + app.stderr


def test_demo_from_the_wheel_tells_the_whole_story(installed: Installed, demo) -> None:
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    rows = {line.split()[1]: line.split()[2] for line in demo.stdout.splitlines()
            if len(line.split()) > 2 and line.split()[1] in EXPECTED_SEND}
    assert rows == EXPECTED_SEND
    assert (installed.root / "home" / ".mailkit" / "demo" / "mailkit-report.xlsx").exists()


def test_check_with_attachments_from_the_wheel_delivers_the_invoice(installed: Installed, demo, sandbox) -> None:
    check = next(s for s in demo_hints.next_steps(demo.stdout) if "check" in s.args)
    argv = list(check.argv)
    argv[argv.index("check") + 1] = SENDER
    step = demo_hints.Step([*argv, "--send-to", RECIPIENT, "--attachments"], check.env)
    done = demo_hints.run(step, installed.mailkit, installed.env, cwd=installed.cwd)
    assert done.returncode == 0 and demo_hints.status_of(done.stdout) == "ok", done.stdout + done.stderr

    folder = Path(sandbox["mail_dir"]) / SENDER / "new"
    arrived = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in folder.iterdir()]
    (message,) = [m for m in arrived if RECIPIENT in str(m["X-Sandbox-Recipients"])]
    files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    company = "Abarrotes Lupita SA de CV"
    assert files[f"Factura A-1024 {company}.pdf"] == assets.read_bytes(assets.INVOICE_PDF)
    assert files[f"Factura A-1024 {company}.xml"] == assets.read_bytes(assets.INVOICE_XML)


def test_the_demos_oauth_accounts_are_ok_on_the_restarted_sandbox(installed: Installed, demo, sandbox) -> None:
    check = next(s for s in demo_hints.next_steps(demo.stdout) if "check" in s.args)
    assert check.args[check.args.index("check") + 1] in OAUTH_OK
    for address in OAUTH_OK:
        argv = list(check.argv)
        argv[argv.index("check") + 1] = address
        done = demo_hints.run(demo_hints.Step(argv, check.env), installed.mailkit, installed.env, cwd=installed.cwd)
        assert demo_hints.status_of(done.stdout) == "ok", (address, done.stdout + done.stderr)


def test_mailkit_ui_loads_the_sample_inventory_from_the_wheel(installed: Installed) -> None:
    script = ("import sys, mailkit.ui\n"
              "from mailkit.ui.session import load_sample\n"
              "from mailkit.workspace import Workspace\n"
              "print(load_sample(Workspace(sys.argv[1]).ensure()))\n")
    done = installed.run(str(installed.venv / "bin" / "python"), "-c", script, str(installed.root / "ui-ws"))
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) == len(EXPECTED_SEND)
