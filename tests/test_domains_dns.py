"""The domain checks against a real authoritative DNS server (NSD on 127.0.0.1, zone files in
tests/authoritative_dns.py): good and broken domains, a zone its server fails, and a server that never answers."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from mailkit.domains import check_domains, domains_frame
from mailkit.domains.lookups import Lookups
from mailkit.domains.runner import DomainTarget, check_targets
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from tests.authoritative_dns import authoritative_dns, nsd_server  # noqa: F401 - fixtures
from tests.cli_helpers import run_mailkit

#: domain -> (provider, {check: expected status}); checks not named must be ok.
MATRIX = {
    "good-google.example": ("google", {}),
    "envios.good-google.example": ("google", {}),
    "sp-none.example": ("google", {}),
    "envios.sp-none.example": ("google", {"dmarc": "warning"}),
    "good-microsoft.example": ("microsoft", {}),
    "half-microsoft.example": ("microsoft", {"dkim": "warning"}),
    "no-spf.example": ("google", {"spf": "missing"}),
    "two-spf.example": ("google", {"spf": "invalid"}),
    "plus-all.example": ("google", {"spf": "invalid"}),
    "neutral-all.example": ("google", {"spf": "warning"}),
    "no-include.example": ("google", {"spf": "invalid"}),
    "too-many.example": ("google", {"spf": "invalid"}),
    "spf-loop.example": ("google", {"spf": "invalid"}),
    "dangling-include.example": ("google", {"spf": "invalid"}),
    "no-dkim.example": ("google", {"dkim": "missing"}),
    "weak-dkim.example": ("google", {"dkim": "invalid"}),
    "revoked-dkim.example": ("google", {"dkim": "invalid"}),
    "dmarc-none.example": ("google", {"dmarc": "warning"}),
    "no-rua.example": ("google", {"dmarc": "warning"}),
    "no-dmarc.example": ("google", {"dmarc": "missing"}),
    "bad-dmarc.example": ("google", {"dmarc": "invalid"}),
    "no-mx.example": ("google", {"mx": "missing"}),
    "moved-mx.example": ("google", {"mx": "warning"}),
    "custom.example": ("custom", {"dkim": "unchecked"}),
    "broken.example": ("google", {"mx": "dns_error", "spf": "dns_error", "dkim": "dns_error", "dmarc": "dns_error"}),
    # the name does not exist; its parent's DMARC still covers it, as receivers apply it to forged mail
    "gone.good-google.example": ("google", {"mx": "missing", "spf": "missing", "dkim": "missing"}),
    "not-served.test": ("google", {"mx": "dns_error", "spf": "dns_error", "dkim": "dns_error", "dmarc": "dns_error"}),
}


@pytest.fixture(scope="module")
def matrix_reports(nsd_server):  # noqa: F811
    """Every domain of the matrix checked in one run, as a company's inventory would list them."""
    mp = pytest.MonkeyPatch()
    mp.setenv("MAILKIT_NAMESERVER", nsd_server.address)
    targets = [DomainTarget(d, ("acme",), p, "mail.custom.example" if p == "custom" else "")
               for d, (p, _) in MATRIX.items()]
    started = time.monotonic()
    try:
        reports = asyncio.run(check_targets(targets, timeout=2.0, deadline=5.0))
    finally:
        mp.undo()
    return {r.domain: r for r in reports}, time.monotonic() - started


@pytest.mark.parametrize("domain", list(MATRIX))
def test_each_domain_gets_the_findings_its_zone_deserves(matrix_reports, domain):
    reports, _ = matrix_reports
    expected = {check: MATRIX[domain][1].get(check, "ok") for check in ("mx", "spf", "dkim", "dmarc")}
    got = {f.check: f.status for f in reports[domain].findings}
    assert got == expected, [(f.check, f.cause()) for f in reports[domain].findings]


def test_the_whole_matrix_takes_well_under_a_second_of_dns(matrix_reports):
    _, seconds = matrix_reports
    assert seconds < 3.0


def test_records_to_publish_are_exact(matrix_reports):
    reports, _ = matrix_reports
    assert reports["no-spf.example"].finding("spf").publish == "v=spf1 include:_spf.google.com ~all"
    assert reports["no-include.example"].finding("spf").publish == \
        "v=spf1 ip4:203.0.113.5 include:_spf.google.com -all"
    assert reports["plus-all.example"].finding("spf").publish == "v=spf1 include:_spf.google.com ~all"
    assert reports["no-dmarc.example"].finding("dmarc").publish == \
        "v=DMARC1; p=none; rua=mailto:dmarc-reports@no-dmarc.example"
    assert reports["no-dmarc.example"].finding("dmarc").publish_name == "_dmarc.no-dmarc.example"
    assert reports["dmarc-none.example"].finding("dmarc").publish == \
        "v=DMARC1; p=quarantine; rua=mailto:dmarc@dmarc-none.example"
    assert reports["no-rua.example"].finding("dmarc").publish == \
        "v=DMARC1; p=reject; rua=mailto:dmarc-reports@no-rua.example"
    assert reports["no-mx.example"].finding("mx").publish == "1 smtp.google.com"
    half = reports["half-microsoft.example"].finding("dkim")
    assert half.publish_name == "selector2._domainkey.half-microsoft.example"
    assert half.publish == "CNAME selector2-half-microsoft-example._domainkey.<TENANT>.onmicrosoft.com"


def test_a_subdomain_follows_its_parents_dmarc(matrix_reports):
    reports, _ = matrix_reports
    follows = reports["envios.good-google.example"].finding("dmarc")
    assert follows.details["inherited_from"] == "good-google.example" and follows.publish_name == \
        "_dmarc.good-google.example"
    assert follows.cause() == "envios.good-google.example follows the DMARC record of good-google.example: policy " \
        "quarantine, with reports."
    lax = reports["envios.sp-none.example"].finding("dmarc")  # p=reject for the parent, sp=none for its subdomains
    assert lax.publish == "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@sp-none.example"
    assert "whose policy for it is none" in lax.cause()


def test_details_carry_what_the_records_say(matrix_reports):
    reports, _ = matrix_reports
    assert reports["good-google.example"].finding("spf").details["lookups"] == 3  # _spf.google.com + 2 netblocks
    assert reports["too-many.example"].finding("spf").details["lookups"] > 10
    assert reports["weak-dkim.example"].finding("dkim").details["bits"] == 512
    assert reports["good-microsoft.example"].finding("dkim").details["selectors"] == \
        {"selector1": 2048, "selector2": 1024}  # both followed through their CNAMEs to onmicrosoft.com
    dmarc = reports["good-google.example"].finding("dmarc").details
    assert (dmarc["policy"], dmarc["adkim"], dmarc["aspf"], dmarc["rua"]) == \
        ("quarantine", "r", "r", ["mailto:dmarc@good-google.example"])
    assert reports["broken.example"].finding("mx").details["fault"] == "server_failure"
    assert "includes itself through spf-loop.example" in reports["spf-loop.example"].finding("spf").cause()
    assert "gone.dangling-include.example" in reports["dangling-include.example"].finding("spf").cause()


def test_causes_and_remedies_exist_in_every_language(matrix_reports):
    reports, _ = matrix_reports
    for report in reports.values():
        for finding in report.findings:
            for lang in ("en", "es", "pl"):
                assert finding.cause(lang)
                assert finding.ok or finding.status == "unchecked" or finding.remedy(lang)
    spf = reports["no-spf.example"].finding("spf")
    assert spf.remedy("es") == ("Publica este registro TXT en no-spf.example: v=spf1 include:_spf.google.com "
                                "~all")
    assert spf.remedy("pl").startswith("Opublikuj ten rekord TXT w no-spf.example: v=spf1 include:")


def test_one_lookup_per_name_is_shared_by_the_run(authoritative_dns):  # noqa: F811
    async def run() -> tuple[object, object, int]:
        lookups = Lookups(2.0)
        first, second = await asyncio.gather(lookups.txt("_spf.google.com"), lookups.txt("_SPF.google.com."))
        return first, second, len(lookups._pending)

    first, second, asked = asyncio.run(run())
    assert first is second and asked == 1
    assert first.records[0].startswith("v=spf1 include:_netblocks.google.com")


def test_a_server_that_never_answers_costs_one_deadline(dns_server):
    silent = dns_server("silent")
    targets = [DomainTarget(f"d{i}.example", ("acme",), "google") for i in range(20)]
    started = time.monotonic()
    reports = asyncio.run(check_targets(targets, timeout=0.5, deadline=1.5))
    took = time.monotonic() - started
    assert took < 4.0, took
    assert {f.status for r in reports for f in r.findings} == {"dns_error"}
    assert silent.questions  # it was asked, and said nothing


def test_a_deadline_shorter_than_one_dns_answer_ends_the_checks(dns_server):
    dns_server("silent")
    started = time.monotonic()
    [report] = asyncio.run(check_targets([DomainTarget("slow.example", ("acme",), "microsoft")], timeout=10.0,
                                         deadline=0.5))
    assert time.monotonic() - started < 2.0
    assert [(f.status, f.details["fault"]) for f in report.findings] == [("dns_error", "deadline")] * 4
    assert report.finding("spf").cause("es") == "El DNS no respondió a las consultas SPF de slow.example en 0.5 s."


def test_an_undetected_provider_is_decided_by_the_mx(authoritative_dns):  # noqa: F811
    targets = [DomainTarget("good-microsoft.example", ("acme",), ""), DomainTarget("custom.example", ("b",), "")]
    microsoft, custom = asyncio.run(check_targets(targets, timeout=2.0, deadline=5.0))
    assert microsoft.provider == "microsoft" and microsoft.status == "ok"
    assert custom.provider == "custom" and custom.finding("dkim").status == "unchecked"


def test_check_domains_reads_the_inventory_and_skips_personal_domains(workspace, authoritative_dns):  # noqa: F811
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("acme", "Acme"))
        inventory.upsert_company(Company("broken", "Broken Co"))
        for email, company, provider in [("facturas@good-google.example", "acme", "workspace"),
                                         ("ventas@good-google.example", "acme", "workspace"),
                                         ("yo@gmail.com", "acme", "gmail"),
                                         ("a@hotmail.com", "acme", "microsoft365"),
                                         ("x@broken.example", "broken", "workspace")]:
            inventory.upsert_account(build_account(email, company, provider_key=provider))
    reports = check_domains(workspace, timeout=2.0, deadline=5.0)
    assert [r.domain for r in reports] == ["broken.example", "good-google.example"]  # the bad one sinks nothing
    assert reports[1].status == "ok" and reports[1].companies == ("acme",)
    assert check_domains(workspace, "Acme", timeout=2.0)[0].domain == "good-google.example"
    frame = domains_frame(reports, "pl", translated_headers=True)
    assert len(frame) == 8 and list(frame.columns)[:2] == ["firmy", "domena"]
    assert frame.loc[frame["domena"] == "broken.example", "status"].eq("dns_error").all()


def _inventory(home, env, accounts):
    run_mailkit("init", home=home, env=env)
    for slug in {company for _, company in accounts}:
        run_mailkit("company", "add", slug, "--name", slug.title(), home=home, env=env)
    for email, company in accounts:
        done = run_mailkit("account", "add", email, "--company", company, "--provider", "workspace", home=home,
                           env=env)
        assert done.returncode == 0, done.stderr


def test_cli_json_and_exit_codes(tmp_path, nsd_server):  # noqa: F811
    env = {"MAILKIT_NAMESERVER": nsd_server.address}
    home = tmp_path / "ws"
    _inventory(home, env, [("f@good-google.example", "good"), ("f@dmarc-none.example", "lax"),
                           ("f@no-dkim.example", "lax")])
    done = run_mailkit("domains", "check", "--json", home=home, env=env)
    assert done.returncode == 1, done.stderr
    found = {d["domain"]: d for d in json.loads(done.stdout)["domains"]}
    assert found["no-dkim.example"]["status"] == "missing"
    dmarc = next(f for f in found["dmarc-none.example"]["findings"] if f["check"] == "dmarc")
    assert dmarc["status"] == "warning" and dmarc["publish_name"] == "_dmarc.dmarc-none.example"
    good = run_mailkit("domains", "check", "--company", "good", home=home, env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "good-google.example" in good.stdout and "no-dkim" not in good.stdout
    missing = run_mailkit("domains", "check", "--company", "nobody", home=home, env=env)
    assert missing.returncode == 2 and "no company" in missing.stderr


def test_cli_table_speaks_the_admins_language(tmp_path, nsd_server):  # noqa: F811
    env = {"MAILKIT_NAMESERVER": nsd_server.address}
    home = tmp_path / "ws"
    _inventory(home, env, [("f@no-dmarc.example", "acme")])
    done = run_mailkit("domains", "check", "--lang", "es", home=home, env=env)
    assert done.returncode == 1
    assert "no tiene registro DMARC" in done.stdout
    assert "-> Publica este registro TXT en _dmarc.no-dmarc.example: v=DMARC1; p=none; " \
           "rua=mailto:dmarc-reports@no-dmarc.example" in done.stdout
    polish = run_mailkit("--lang", "pl", "domains", "check", home=home, env=env)
    assert "nie ma rekordu DMARC" in polish.stdout


def test_cli_without_company_domains_says_so(tmp_path, nsd_server):  # noqa: F811
    env = {"MAILKIT_NAMESERVER": nsd_server.address}
    home = tmp_path / "ws"
    run_mailkit("init", home=home, env=env)
    run_mailkit("company", "add", "solo", "--name", "Solo", home=home, env=env)
    run_mailkit("account", "add", "solo@gmail.com", "--company", "solo", home=home, env=env)
    done = run_mailkit("domains", "check", home=home, env=env)
    assert done.returncode == 0 and "No company domains to check" in done.stdout
    for bad in (["--timeout", "0"], ["--deadline", "-1"], ["--lang", "fr"]):
        refused = run_mailkit("domains", "check", *bad, home=home, env=env)
        assert refused.returncode == 2 and refused.stderr.startswith("error: "), bad
