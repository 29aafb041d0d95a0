"""The README's main job, as a newcomer runs it: `mailkit demo` in a fresh workspace, no keyring."""

from __future__ import annotations

import tomllib
import zipfile

from openpyxl import load_workbook

from mailkit.demo import DEMO_PLAN
from tests.cli_helpers import run_mailkit

EXPECTED = {
    "facturas.lupita@gmail.com": "ok",
    "recuperacion.lupita@gmail.com": "app_password_required",
    "facturacion@ferreteria-delnorte.example": "ok",
    "ventas@ferreteria-delnorte.example": "not_configured",
    "faktury@biuro-kowalski.example": "bad_credentials",
    "crm@biuro-kowalski.example": "web_login_required",
    "avisos.tallerruiz@gmail.com": "oauth_reauth_required",
    "citas.tallerruiz@gmail.com": "ok",
    "limite.tallerruiz@gmail.com": "quota_exceeded",
    "sklep.nowak@gmail.com": "rate_limited",
    "zamowienia.nowak@gmail.com": "sender_rejected",
    "wysylka.nowak@gmail.com": "message_rejected",
    "kontakt.nowak@gmail.com": "ok",
}


def test_demo_tells_the_whole_story_and_leaks_no_secret(tmp_path):
    home = tmp_path / "ws"
    result = run_mailkit("demo", "--no-progress", home=home, timeout=120,
                         env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for email, status in EXPECTED.items():
        row = next(line for line in lines if f" {email} " in f" {line} " and not line.startswith("3."))
        assert row.split()[2] == status, row
    assert "9 accounts need attention" in result.stdout
    report = home / "demo" / "mailkit-report.xlsx"
    sheet = load_workbook(report).worksheets[0]
    assert sheet.max_row == len(EXPECTED) + 1

    secrets = [s.replace(" ", "") for s in tomllib.loads(DEMO_PLAN.read_text())["secrets"].values()]
    with zipfile.ZipFile(report) as xlsx:
        xlsx_text = "".join(xlsx.read(name).decode("utf-8", "replace") for name in xlsx.namelist())
    database = (home / "demo" / "mailkit.sqlite3").read_bytes()
    for secret in secrets:
        for haystack in (result.stdout, result.stderr, xlsx_text):
            assert secret not in haystack.replace(" ", "")
        assert secret.encode() not in database
