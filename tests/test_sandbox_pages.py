"""The sandbox's browser pages over plain HTTP on 127.0.0.1 (no CA for a browser to trust), while every
endpoint a program calls stays HTTPS-only and verified."""

from __future__ import annotations

import requests

from mailkit.endpoints import browser_url, google_endpoints
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.flow import ConsentFlow
from mailkit.oauth.store import load_bundle
from mailkit.sandbox.consent_robot import approve
from mailkit.sandbox.http import HEALTH_PATH
from mailkit.sandbox.runner import SandboxThread
from mailkit.status import Status
from mailkit.workspace import Workspace

FACTURACION = "facturacion@ferreteria-delnorte.example"


def test_pages_are_plain_http_and_apis_are_https_only(sandbox_env: SandboxThread) -> None:
    info = sandbox_env.info
    pages, api = info["pages"], info["http"]
    assert pages.startswith("http://127.0.0.1:") and api.startswith("https://127.0.0.1:")
    session = requests.Session()
    session.trust_env = False
    index = session.get(pages + "/", timeout=5)
    assert index.status_code == 200 and FACTURACION in index.text
    for method, path in (("POST", "/token"), ("GET", "/v1/userinfo"), ("GET", "/oauth2/v3/certs"),
                         ("GET", "/admin/directory/v1/users"), ("GET", HEALTH_PATH),
                         ("POST", f"/{info['microsoft']['tenant']}/oauth2/v2.0/token")):
        answer = session.request(method, pages + path, timeout=5)
        assert answer.status_code == 404, (method, path, answer.text[:200])
        assert "access_token" not in answer.text
    assert session.get(api + "/oauth2/v3/certs", verify=info["ca_cert"], timeout=5).status_code == 200
    health = session.get(api + HEALTH_PATH, verify=info["ca_cert"], timeout=5).json()
    assert health["state_dir"] == str(sandbox_env.state_dir)


def test_the_consent_link_is_the_http_page_and_the_consent_still_works(workspace: Workspace,
                                                                       sandbox_env: SandboxThread) -> None:
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("ferreteria-delnorte", "Ferretería del Norte"))
        inventory.upsert_account(build_account(FACTURACION, "ferreteria-delnorte", provider_key="workspace",
                                               auth="oauth2"))
        account = inventory.account(FACTURACION)
    with ConsentFlow(account, workspace) as flow:
        assert flow.authorization_url.startswith(sandbox_env.info["pages"] + "/o/oauth2/auth?")
        assert google_endpoints().token_uri.startswith("https://")  # the token exchange stays verified TLS
        result = flow.complete_from_url(approve(flow.authorization_url))
    assert result.status is Status.OK, result.message
    assert load_bundle(workspace, FACTURACION) is not None


def test_browser_url_rewrites_only_the_sandbox(sandbox_env: SandboxThread) -> None:
    info = sandbox_env.info
    assert browser_url(info["http"] + "/o/oauth2/auth?a=1") == info["pages"] + "/o/oauth2/auth?a=1"
    assert browser_url("https://accounts.google.com/o/oauth2/auth?a=1") == "https://accounts.google.com/o/oauth2/auth?a=1"


def test_microsoft_sends_the_browser_to_the_http_pages(sandbox_env: SandboxThread) -> None:
    info = sandbox_env.info
    tenant, ca = info["microsoft"]["tenant"], info["ca_cert"]
    discovery = requests.get(f"{info['http']}/{tenant}/v2.0/.well-known/openid-configuration", verify=ca,
                             timeout=5).json()
    assert discovery["authorization_endpoint"] == f"{info['pages']}/{tenant}/oauth2/v2.0/authorize"
    assert discovery["token_endpoint"].startswith("https://")
    device = requests.post(f"{info['http']}/{tenant}/oauth2/v2.0/devicecode", verify=ca, timeout=5,
                           data={"client_id": info["microsoft"]["client_id"], "scope": "offline_access"}).json()
    assert device["verification_uri"] == info["pages"] + "/devicelogin"
    page = requests.get(device["verification_uri"], timeout=5)
    assert page.status_code == 200 and "otc" in page.text


def test_a_sandbox_json_whose_pages_are_not_on_this_machine_is_refused(sandbox: SandboxThread, tmp_path) -> None:
    import json

    import pytest

    from mailkit.endpoints import SandboxInfo
    from mailkit.errors import UsageError

    raw = json.loads(sandbox.info_path.read_text(encoding="utf-8"))
    raw["pages"] = "http://consent.example:80"
    forged = tmp_path / "sandbox.json"
    forged.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(UsageError, match="pages host is 'consent.example'"):
        SandboxInfo.load(forged)
    raw["pages"] = "http://127.0.0.1:9"
    forged.write_text(json.dumps(raw), encoding="utf-8")
    assert SandboxInfo.load(forged).pages_base == "http://127.0.0.1:9"
