"""The quick start: the whole admin story on the sandbox, start to finish, with no Google account.

Sample inventory (5 companies, 13 accounts) → app passwords and OAuth consents as an admin
would set them (some deliberately wrong, as in real life) → bulk audit with test sends carrying
the sample invoice → status report in the terminal and in Excel.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mailkit import assets
from mailkit.inventory import Inventory
from mailkit.secrets.store import login_secret, secret_kind_for, secret_store
from mailkit.workspace import Workspace

Say = Callable[[str], None]


@dataclass
class DemoPlan:
    """What the demo stores per account: secrets, which consents to give, and what to do afterwards."""

    secrets: dict[str, str] = field(default_factory=dict)
    consent: list[str] = field(default_factory=list)
    revoke_after: list[str] = field(default_factory=list)
    expire_after: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None) -> DemoPlan:
        """The plan in `path`, by default the one shipped in mailkit/assets/sandbox/demo.toml."""
        raw = tomllib.loads(path.read_text(encoding="utf-8") if path else assets.read_text(assets.DEMO_PLAN))
        oauth = raw.get("oauth", {})
        return cls(raw.get("secrets", {}), oauth.get("consent", []), oauth.get("revoke_after", []),
                   oauth.get("expire_after", []))


def import_sample(inventory: Inventory, say: Say) -> None:
    from mailkit.tabular.accounts import import_accounts

    report = import_accounts(inventory, assets.asset_path(assets.SAMPLE_INVENTORY))
    say(f"1. inventory: {report.summary()}")


def store_secrets(inventory: Inventory, workspace: Workspace, plan: DemoPlan, say: Say) -> None:
    """What an admin types into `mailkit secret set`, right or wrong."""
    store = secret_store(workspace)
    for email, secret in plan.secrets.items():
        account = inventory.account(email)
        kind = secret_kind_for(account.auth)
        store.set(account.email, kind, login_secret(kind, secret))
        inventory.record_secret_set(account.email, kind.value)
    say(f"2. secrets: {len(plan.secrets)} app passwords / passwords stored in the keyring "
        f"({type(store.backend).__name__})")


def give_consents(inventory: Inventory, workspace: Workspace, plan: DemoPlan, say: Say) -> None:
    """Each consent as a person gives it in the browser: the sandbox page, every box ticked."""
    from mailkit.oauth.flow import ConsentFlow
    from mailkit.sandbox.consent_robot import approve

    for email in plan.consent:
        with ConsentFlow(inventory.account(email), workspace) as flow:
            result = flow.complete_from_url(approve(flow.authorization_url))
        say(f"3. OAuth consent for {email}: {result.outcome} ({result.status.value})")


def afterwards(sandbox, plan: DemoPlan, say: Say) -> None:
    """What happens to grants in real life after setup: a user revokes access; a token expires."""
    for email in plan.revoke_after:
        sandbox.grants.revoke_account(email)
        say(f"   {email}: the user removed mailkit's access at myaccount.google.com")
    for email in plan.expire_after:
        sandbox.grants.expire_access_tokens(email)
        say(f"   {email}: its access token expired (mailkit will refresh it)")


@contextmanager
def _sandbox_mode(info_path: Path) -> Iterator[None]:
    """MAILKIT_SANDBOX set for the story, and put back as it was however the story ends."""
    before = os.environ.get("MAILKIT_SANDBOX")
    os.environ["MAILKIT_SANDBOX"] = str(info_path)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MAILKIT_SANDBOX", None)
        else:
            os.environ["MAILKIT_SANDBOX"] = before


def run_demo(home: Path, *, lang: str, say: Say, progress: bool = True) -> tuple[int, Path]:
    """Run the whole story; returns (accounts not ok, path of the Excel report)."""
    from mailkit.audit import AuditOptions, Selection, audit
    from mailkit.reports.files import export
    from mailkit.sandbox import supervisor
    from mailkit.sandbox.runner import SandboxThread

    workspace = Workspace(home).ensure()
    plan = DemoPlan.load()
    stopped = supervisor.stop(home / "sandbox")  # its grants are the demo's to set: one sandbox per state dir
    if stopped is not None:
        say(f"stopped the workspace's background sandbox (pid {stopped.pid}) to run the story on its state")
    with SandboxThread(state_dir=home / "sandbox") as sandbox, _sandbox_mode(sandbox.info_path):
        say(f"sandbox: local Gmail on {sandbox.info['smtp']['host']} (SMTP {sandbox.info['smtp']['port']}, "
            f"SMTPS {sandbox.info['smtps']['port']}, IMAP {sandbox.info['imaps']['port']}, {sandbox.info['http']})")
        say(f"workspace: {workspace.home}")
        with Inventory.open(workspace) as inventory:
            import_sample(inventory, say)
            store_secrets(inventory, workspace, plan, say)
            give_consents(inventory, workspace, plan, say)
        afterwards(sandbox, plan, say)
        say("4. audit: sign-in and a test send with the sample invoice (PDF + CFDI XML) for every account")
        options = AuditOptions(send_test=True, attachments=True, lang=lang, later_delay=1.0, retry_delay=0.5)
        summary = audit(workspace, Selection(), options, progress=progress)
        say(f"   run {summary.run_id}: {summary.checked} checked, {summary.counts.get('ok', 0)} ok, "
            f"{summary.broken} not ok; {len(sandbox.messages)} test messages arrived in the sandbox")
        report_path = workspace.home / "mailkit-report.xlsx"
        export(report_path, workspace, lang=lang)
    return summary.broken, report_path
