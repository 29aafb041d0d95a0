"""Every notebook executed top to bottom by a real kernel against the sandbox (the workspace's one, which
the first kernel starts in the background), plus in-kernel driving of the widgets; and the check that no
secret lands in a saved notebook."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from mailkit.assets import SANDBOX_ACCOUNTS, read_text
from tests.browser_fixtures import approve_consent, consent_link, deliver, kernel_environment

pytestmark = pytest.mark.notebook

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
ACCOUNTS = tomllib.loads(read_text(SANDBOX_ACCOUNTS))["account"]
#: Every fake secret of the sandbox, with and without spaces: none may appear in a saved notebook.
SECRETS = sorted({s for a in ACCOUNTS for p in [a.get("password", ""), *a.get("app_passwords", [])] if p
                  for s in (p, p.replace(" ", ""))})


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One workspace for the module's kernels, so 05 reports what 04 sent; its one sandbox stopped at the end."""
    from mailkit.sandbox import supervisor

    path = tmp_path_factory.mktemp("notebook-home")
    yield path
    supervisor.stop(supervisor.state_dir_of(path / "sandbox"))


@contextmanager
def kernel(name: str, home: Path, *, store_widget_state: bool = False, remembered: bool = False,
           lang: str = "en") -> Iterator[tuple[NotebookClient, object]]:
    """A kernel that has run every cell of notebook `name`; yields the client and the notebook. In `lang`
    (English), unless `remembered`: then no MAILKIT_LANG, and the workspace's remembered language speaks."""
    book = nbformat.read(REPO / "notebooks" / name, as_version=4)
    client = NotebookClient(book, timeout=60, kernel_name="python3", store_widget_state=store_widget_state,
                            resources={"metadata": {"path": str(REPO / "notebooks")}})
    env = kernel_environment(home)
    env["MAILKIT_LANG"] = lang
    if remembered:
        env.pop("MAILKIT_LANG")
    with client.setup_kernel(env=env):
        for index, cell in enumerate(book.cells):
            client.execute_cell(cell, index)
        yield client, book
        client.set_widgets_metadata()


def run(client: NotebookClient, book: object, source: str) -> str:
    """Execute one more cell; its text output (errors fail the test)."""
    cell = nbformat.v4.new_code_cell(source)
    book.cells.append(cell)  # type: ignore[attr-defined]
    client.execute_cell(cell, len(book.cells) - 1)  # type: ignore[attr-defined]
    return "".join(out.get("text", "") for out in cell.outputs)


def text_of(book: object) -> str:
    return nbformat.writes(book)  # type: ignore[arg-type]


def assert_no_secret(book: object) -> None:
    saved = text_of(book)
    leaked = [s for s in SECRETS if s in saved]
    assert not leaked, f"secrets in the saved notebook: {len(leaked)}"


def test_committed_notebooks_have_no_outputs_and_no_widget_state() -> None:
    assert [p.stem for p in NOTEBOOKS] == ["00_start_here", "01_company_setup", "02_gmail_oauth",
                                           "03_two_step_and_app_passwords", "04_bulk_test_send",
                                           "05_status_report", "06_troubleshooting", "07_microsoft_365",
                                           "08_workspace_domains"]
    for path in NOTEBOOKS:
        book = json.loads(path.read_text(encoding="utf-8"))
        assert "widgets" not in book["metadata"], path.name
        for cell in book["cells"]:
            assert cell["cell_type"] == "markdown" or (not cell["outputs"] and cell["execution_count"] is None), \
                path.name
        code = [c for c in book["cells"] if c["cell_type"] == "code"]
        intros = [c for c in code if "".join(c["source"]).lstrip().startswith(("from mailkit.ui import intro",
                                                                              "intro("))]
        assert 1 <= len(code) - len(intros) <= 2, path.name
        assert all(len("".join(c["source"]).splitlines()) <= 7 for c in code), path.name
        # every word from the catalogue: no markdown of their own, an intro cell instead
        assert not [c for c in book["cells"] if c["cell_type"] == "markdown"] and intros, path.name
        assert all(len("".join(c["source"]).splitlines()) <= 3 for c in intros), path.name


@pytest.mark.parametrize("name", ["00_start_here.ipynb", "04_bulk_test_send.ipynb", "05_status_report.ipynb",
                                  "06_troubleshooting.ipynb"])
def test_notebook_runs_top_to_bottom_in_sandbox_mode(name: str, home: Path) -> None:
    with kernel(name, home, store_widget_state=True) as (client, book):
        outputs = [o for cell in book.cells if cell.cell_type == "code" for o in cell.outputs]
        assert not [o for o in outputs if o.output_type == "error"]
        assert "Sandbox mode" in text_of(book)
        if name.startswith("00"):
            shown = run(client, book, "print(home.summary.value, home.steps.value)")
            assert "13 accounts" in shown and "href='07_microsoft_365.ipynb'" in shown
        if name.startswith("04"):
            shown = run(client, book, "bulk.start.click()\nawait bulk.task\n"
                                      "print(bulk.alert.text, sorted(r.status.value for r in bulk.results))")
            assert "Finished: 1 ok, 1 need attention." in shown and "app_password_required" in shown
        if name.startswith("05"):
            shown = run(client, book, "print(len(report.frame), sorted(set(report.frame['status'])))")
            assert shown.startswith("13 ") and "'ok'" in shown  # what 04 sent is in the report
            shown = run(client, book, "print(domains.check.description, len(domains.company.options))")
            assert shown.startswith("Check domains ")  # the Domains panel below the report, every company listed
        if name.startswith("06"):
            shown = run(client, book, "wizard.account.value = 'recuperacion.lupita@gmail.com'\n"
                                      "wizard.run.click()\nawait wizard.task\nprint(wizard.found.failed.status)")
            assert "app_password_required" in shown
    assert_no_secret(book)


def test_microsoft_notebook_lists_mailboxes_on_passwords_and_connects_with_microsoft(home: Path) -> None:
    with kernel("07_microsoft_365.ipynb", home) as (client, book):
        outputs = [o for cell in book.cells if cell.cell_type == "code" for o in cell.outputs]
        assert not [o for o in outputs if o.output_type == "error"] and "Sandbox mode" in text_of(book)
        shown = run(client, book, "from mailkit.inventory import Inventory\nfrom mailkit.models import build_account\n"
                                  "with Inventory.open(session.workspace) as inventory:\n"
                                  "    for email, auth in (('avisos@contoso-mx.example', 'password'), "
                                  "('compras@contoso-mx.example', 'oauth2')):\n"
                                  "        inventory.upsert_account(build_account(email, "
                                  "inventory.companies()[0].slug, provider_key='microsoft365', auth=auth))\n"
                                  "from mailkit.reports import readiness_frame\n"
                                  "frame = readiness_frame(session.workspace)\n"
                                  "print(list(frame['email']), list(frame['readiness']))\n"
                                  "panel.refresh(select='compras@contoso-mx.example')\nprint(panel.connect.description)")
    assert "['avisos@contoso-mx.example', 'compras@contoso-mx.example'] ['will_break', 'ready']" in shown
    assert "Connect with Microsoft" in shown
    assert_no_secret(book)


#: Run in a kernel: the words its widgets show (descriptions, option labels, HTML without tags), as the browser.
WALK = """import html, re
def walk(items):
    parts = []
    while items:
        item = items.pop()
        parts += [getattr(item, name, '') or '' for name in ('description', 'placeholder', 'tooltip')]
        parts += list(getattr(item, '_options_labels', ()) or ())
        if hasattr(item, 'value') and isinstance(item.value, str):
            parts.append(html.unescape(re.sub(r'<style>.*?</style>|<[^>]+>', ' ', item.value, flags=re.S)))
        items += list(getattr(item, 'children', ()))
    return re.sub(r'\\s+', ' ', ' '.join(parts))
"""


@pytest.mark.parametrize("lang", ["es", "pl"])
def test_microsoft_notebook_speaks_the_admins_language_with_each_heading_once(home: Path, lang: str) -> None:
    from mailkit.i18n import text
    from mailkit.ui.intro import INTROS, heading
    from tests.test_ui_i18n_panels import english_phrases

    with kernel("07_microsoft_365.ipynb", home, lang=lang) as (client, book):
        outputs = [o for cell in book.cells if cell.cell_type == "code" for o in cell.outputs]
        assert not [o for o in outputs if o.output_type == "error"]
        shown = run(client, book, WALK + "print(walk([Out[1], readiness, Out[3], panel]))")
    for key in ("07_microsoft_365", "07_microsoft_365#connect"):
        assert text(lang, INTROS[key])[:60] in shown and INTROS[key][:60] not in shown
        assert shown.count(heading(key, lang)) == 1, heading(key, lang)  # the panel below adds no second title
    left = [phrase for phrase in english_phrases(lang) if phrase in shown]
    assert not left, left[:5]


def test_workspace_notebook_shows_the_admin_console_steps_and_connects_an_uploaded_key(home: Path) -> None:
    from mailkit.sandbox import supervisor

    with kernel("08_workspace_domains.ipynb", home, store_widget_state=True) as (client, book):
        outputs = [o for cell in book.cells if cell.cell_type == "code" for o in cell.outputs]
        assert not [o for o in outputs if o.output_type == "error"]
        shown = run(client, book, "import datetime\nfrom mailkit.sandbox import supervisor\n"
                                  "raw = (supervisor.state_dir_of(session.workspace.home) / "
                                  "'service_account.json').read_bytes()\n"
                                  "panel.key_upload.value = ({'name': 'key.json', 'type': 'application/json', "
                                  "'size': len(raw), 'content': memoryview(raw), "
                                  "'last_modified': datetime.datetime.now(datetime.UTC)},)\n"
                                  "panel.domain.value, panel.mailbox.value = 'ferreteria-delnorte.example', "
                                  "'ventas@ferreteria-delnorte.example'\n"
                                  "panel.connect.click()\nawait panel.task\n"
                                  "print(panel.alert.kind, panel.alert.text, panel.key_upload.value)\n"
                                  "print(panel.domains_table.value)")
    key = json.loads((supervisor.state_dir_of(home / "sandbox") / "service_account.json").read_text())
    assert shown.startswith("success ferreteria-delnorte.example is connected"), shown
    assert "). ()\n" in shown and key["client_id"] in shown  # the upload emptied, the domain listed
    saved = text_of(book)  # with the widgets' state: what the page showed
    assert "Sandbox mode" in saved and "Google Workspace domains" in saved and "Domain-wide delegation" in saved
    assert key["client_id"] in saved  # the Admin-console steps show it, to copy
    assert not [line for line in key["private_key"].splitlines() if len(line) > 40 and line in saved]
    assert_no_secret(book)


def test_setup_notebook_form_saves_and_lists_an_account(home: Path) -> None:
    with kernel("01_company_setup.ipynb", home) as (client, book):
        shown = run(client, book, "form.company_name.value = 'Papelería Gómez'\nform.save_company.click()\n"
                                  "form.email.value = 'ventas@ferreteria-delnorte.example'\n"
                                  "print(form.provider.value, form.smtp_host.value)\n"
                                  "form.email.value = 'papeleria.gomez@gmail.com'\nform.save.click()\n"
                                  "print(form.alert.text)\nprint('papeleria.gomez@gmail.com' in "
                                  "form.accounts_list.value)")
    assert "workspace smtp.gmail.com" in shown
    assert "Account papeleria.gomez@gmail.com added (Gmail (@gmail.com), OAuth 2.0 (recommended))." in shown
    assert "True" in shown


def test_oauth_notebook_completes_a_consent_without_blocking_the_kernel(home: Path) -> None:
    with kernel("02_gmail_oauth.ipynb", home) as (client, book):
        link = run(client, book, "panel.account.value = 'ventas@ferreteria-delnorte.example'\n"
                                 "panel.connect.click()\nprint(panel.link.value)")
        ca = run(client, book, "from mailkit.endpoints import sandbox_info\nprint(sandbox_info().ca_cert)").strip()
        alive = run(client, book, "print('kernel free', panel.flow.done)")  # the wait is a task, not a block
        assert alive.strip() == "kernel free False"
        deliver(approve_consent(consent_link(link), ca))
        shown = run(client, book, "import asyncio\nawait asyncio.wait_for(panel.waiting, 20)\n"
                                  "print(panel.result.outcome, panel.result.authorized_email)")
    assert shown.strip() == "granted ventas@ferreteria-delnorte.example"
    assert_no_secret(book)


def test_app_password_never_reaches_the_saved_notebook(home: Path, tmp_path: Path) -> None:
    """Even with widget state stored (the trap), the Password widget holds nothing once used."""
    typed = tmp_path / "typed.txt"  # what the admin types, kept out of the cell's source
    typed.write_text("poiu lkjh mnbv qwer", encoding="utf-8")  # zamowienia.nowak@gmail.com's fake one
    with kernel("03_two_step_and_app_passwords.ipynb", home, store_widget_state=True) as (client, book):
        shown = run(client, book, "apppw.account.value = 'zamowienia.nowak@gmail.com'\n"
                                  f"apppw.secret.value = open({str(typed)!r}).read()\n"
                                  "apppw.save.click()\nawait apppw.task\n"
                                  "print(apppw.outcome.stored, repr(apppw.secret.value))\n"
                                  "twostep.company.value = 'ferreteria-delnorte'\ntwostep.check.click()\n"
                                  "await twostep.task\nprint(sorted(s.source for s in twostep.results))")
    assert "True ''" in shown and "['directory', 'directory']" in shown
    assert "widgets" in book.metadata  # state was stored...
    assert_no_secret(book)  # ...and holds no secret


@pytest.mark.parametrize("lang", ["es", "pl"])
def test_notebooks_speak_the_workspaces_remembered_language(lang: str, tmp_path: Path) -> None:
    """Headings and introductions come from the catalogue in the language the workspace remembers: no English
    heading or introduction is left in the executed notebook, the translations are there."""
    from mailkit.app.steps import TITLES
    from mailkit.i18n import text
    from mailkit.sandbox import supervisor
    from mailkit.ui.intro import INTROS, heading
    from mailkit.workspace import Workspace

    home = tmp_path / "home"
    Workspace(home / "sandbox").ensure().set_setting("ui.language", lang)  # picked in a panel once, remembered
    try:
        for path in [p for p in NOTEBOOKS if p.stem != "07_microsoft_365"]:
            with kernel(path.name, home, store_widget_state=True, remembered=True) as (_client, book):
                pass
            saved = text_of(book)  # with the widgets' state: what the page showed
            assert '"output_type": "error"' not in saved, path.name
            keys = [key for key in INTROS if key.split("#")[0] == path.stem]
            for key in keys:
                english = heading(key, "en")
                translated = heading(key, lang)
                assert translated != english and f">{translated}<" in saved, (path.name, translated)
                assert f">{english}<" not in saved, (path.name, english)
                opening = INTROS[key][:40]
                assert opening not in saved and text(lang, INTROS[key])[:30] in saved, (path.name, key)
            assert "Sandbox mode" not in saved, path.name
            assert_no_secret(book)
        assert {TITLES[p.name] for p in NOTEBOOKS[1:7]} <= {heading(p.stem, "en") for p in NOTEBOOKS[1:7]}
    finally:
        supervisor.stop(supervisor.state_dir_of(home / "sandbox"))
