"""Screenshots of `mailkit app` with a fleet of 1,000 accounts: the bulk panel while it runs and once it is done,
and the status report in Polish, at 1400×1000, written to test-artifacts/.

The sandbox holds 1,000 generated Gmail accounts (as benchmarks/bench_ui.py makes them: 60 companies, most with
their app password, some with a wrong one, some with none) and answers after a small delay, in its own process;
the app runs as the admin starts it (`mailkit --home H app`), driven by Playwright with Debian's Chromium.

    python benchmarks/screenshots.py            # bulk-1000-running.png, bulk-1000.png, report-pl(-plots).png
    python benchmarks/screenshots.py --n 200    # a smaller fleet, for a quick look
"""

from __future__ import annotations

import argparse
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_audit import start_sandbox, write_accounts  # noqa: E402
from bench_ui import make_workspace  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
VIEWPORT = {"width": 1400, "height": 1000}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def environment(root: Path, home: Path) -> dict[str, str]:
    """The app's and the kernels' environment: this workspace, this sandbox, its file of fake secrets (no
    keyring), no browser of its own, Jupyter's folders in the temporary directory."""
    env = {k: v for k, v in os.environ.items() if k != "MAILKIT_LANG"}
    env.update({"MAILKIT_HOME": str(home), "MAILKIT_SANDBOX": str(root / "sandbox" / "sandbox.json"),
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "MAILKIT_NO_BROWSER": "1",
                "JUPYTER_CONFIG_DIR": str(root / "jupyter"), "JUPYTER_RUNTIME_DIR": str(root / "run"),
                "JUPYTER_DATA_DIR": str(root / "data")})
    return env


@contextmanager
def app(home: Path, env: dict[str, str], *options: str) -> Iterator[str]:
    """`mailkit --home H app --no-browser ...` until the block ends (then Ctrl-C); yields its address."""
    process = subprocess.Popen([sys.executable, "-m", "mailkit", "--home", str(home), "app", "--no-browser",
                                *options], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               start_new_session=True)
    try:
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        if not selector.select(timeout=90):
            raise SystemExit("mailkit app printed no address within 90 s")
        yield process.stdout.readline().strip()  # type: ignore[union-attr]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def page_of(browser, url: str, notebook: str):  # noqa: ANN001, ANN201 - Playwright's objects
    """A 1400×1000 page on `notebook` of the app, every cell run; nothing but this machine is reached."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=False)
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in
                  {"127.0.0.1", "localhost"} else route.abort())
    page = context.new_page()
    page.set_default_timeout(120_000)
    parts = urlsplit(url)
    page.goto(f"{parts.scheme}://{parts.netloc}/voila/render/{notebook}?{parts.query}")
    page.wait_for_selector("nav.mailkit-nav")
    page.wait_for_selector("#rendered_cells .mailkit-panel", state="visible")
    return page


def shoot(page, name: str) -> Path:  # noqa: ANN001
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))  # the viewport: what the admin sees at 1400×1000
    return path


def bulk(browser, url: str, n: int) -> list[Path]:  # noqa: ANN001
    """Every company selected, Start; a shot with about a third done, and one when the run is over."""
    page = page_of(browser, url, "04_bulk_test_send.ipynb")
    page.locator("button.jupyter-button", has_text="All companies").click()
    page.wait_for_function(f"() => document.querySelectorAll('.widget-select-multiple select')[1]?.options.length"
                           f" >= {n}")
    page.locator("button.jupyter-button", has_text="Start").click()
    third = n // 3
    page.wait_for_function(f"() => {{ const p = document.querySelector('.mailkit-progress'); if (!p) return false;"
                           f" const m = p.textContent.match(/(\\d+) of/); return m && +m[1] >= {third}; }}")
    shots = [shoot(page, "bulk-1000-running")]
    page.locator(".mailkit-progress", has_text=f"{n} of {n} done").wait_for(timeout=600_000)
    page.wait_for_selector(".mailkit-alert-success, .mailkit-alert-warning")
    time.sleep(1)  # the last table update
    shots.append(shoot(page, "bulk-1000"))
    page.context.close()
    return shots


def report(browser, url: str) -> list[Path]:  # noqa: ANN001
    """The report in Polish: the counters and the grouped table; then its plots, scrolled to."""
    page = page_of(browser, url, "05_status_report.ipynb")
    page.wait_for_selector(".mailkit-table tr[data-status]")
    plot = page.locator(".mailkit-panel img").first
    plot.wait_for(state="visible")
    time.sleep(1)
    shots = [shoot(page, "report-pl")]
    plot.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -60)")  # the plot's top edge, not under the navigation
    shots.append(shoot(page, "report-pl-plots"))
    page.context.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="accounts (default 1000)")
    parser.add_argument("--latency-ms", type=int, default=20, help="sandbox delay before every reply (default 20)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="mailkit-shots-") as tmp:
        root = Path(tmp)
        home = root / "home"
        write_accounts(root / "accounts.toml", args.n)
        sandbox, _info = start_sandbox(root / "accounts.toml", root / "sandbox", args.latency_ms)
        try:
            env = environment(root, home)
            os.environ.update(env)  # the fake secrets go to the sandbox's file, where the kernels read them
            make_workspace(home, args.n)
            shots: list[Path] = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                with app(home, env, "--lang", "en") as url:
                    shots += bulk(browser, url, args.n)
                with app(home, env, "--lang", "pl") as url:
                    shots += report(browser, url)
                browser.close()
        finally:
            sandbox.terminate()
            sandbox.wait(10)
    sys.stdout.write("".join(f"written: {path.relative_to(ROOT)}\n" for path in shots))
    return 0


if __name__ == "__main__":
    sys.exit(main())
