"""The app's steps: the shipped notebooks in the order an admin works, and the navigation every page shows.

The notebooks are shipped in the package (`mailkit/assets/notebooks`), so an installed mailkit serves
the same steps as a checkout. A notebook without a title here still gets a link, named after its file.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from mailkit import assets
from mailkit.i18n import N_, text

#: Each notebook's title in the navigation, by the notebook's file name.
TITLES = {
    "00_start_here.ipynb": N_("Home"),
    "01_company_setup.ipynb": N_("Companies and accounts"),
    "02_gmail_oauth.ipynb": N_("Connect with Google"),
    "03_two_step_and_app_passwords.ipynb": N_("2-Step Verification and app passwords"),
    "04_bulk_test_send.ipynb": N_("Bulk test send"),
    "05_status_report.ipynb": N_("Status report"),
    "06_troubleshooting.ipynb": N_("Troubleshooting"),
    "07_microsoft_365.ipynb": N_("Microsoft 365 and basic auth"),
    "08_workspace_domains.ipynb": N_("Google Workspace domains"),
}
HOME = "00_start_here.ipynb"


@dataclass(frozen=True)
class Step:
    """One page of the app: its notebook and its title in the admin's language."""

    notebook: str
    title: str

    @property
    def path(self) -> str:
        """Where Voilà renders it, relative to the server's root."""
        return f"voila/render/{self.notebook}"


def notebooks_dir() -> Path:
    """The shipped notebooks' folder, as a real path (Voilà serves it as its root)."""
    return assets.asset_path("notebooks/" + HOME).parent.resolve()


def steps(lang: str, folder: Path | None = None) -> list[Step]:
    """The steps in order: the numbered notebooks of `folder` (default: the shipped ones)."""
    folder = folder if folder is not None else notebooks_dir()
    names = sorted(p.name for p in folder.glob("[0-9][0-9]_*.ipynb"))
    return [Step(name, text(lang, TITLES[name]) if name in TITLES else name.removesuffix(".ipynb")) for name in names]


def nav_html(lang: str, folder: Path | None = None, base_url: str = "/") -> str:
    """The navigation bar: mailkit's name, then one link per step (the page's own is marked by the template)."""
    links = "".join(f'<a href="{html.escape(base_url + step.path)}">{html.escape(step.title)}</a>'
                    for step in steps(lang, folder))
    label = html.escape(text(lang, "Steps"))
    return f'<nav class="mailkit-nav" aria-label="{label}"><span class="mailkit-brand">mailkit</span>{links}</nav>\n'


__all__ = ["HOME", "TITLES", "Step", "nav_html", "notebooks_dir", "steps"]
