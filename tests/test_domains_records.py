"""The record parsers and judges of the domain checks, without DNS: SPF terms, tag lists, DMARC, DKIM keys,
the records mailkit tells the admin to publish, the texts and the report frame."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailkit.domains import PERSONAL_DOMAINS, domains_frame
from mailkit.domains.dkim import DkimKeyError, key_bits
from mailkit.domains.dmarc import DmarcSyntaxError, is_dmarc, parse_dmarc
from mailkit.domains.findings import OK, DomainReport, Finding
from mailkit.domains.runner import targets
from mailkit.domains.spf import SpfSyntaxError, is_spf, parse_spf, recommended
from mailkit.domains.tags import TagSyntaxError, parse_tags
from mailkit.models import build_account
from tests.authoritative_dns import KEY_512, KEY_1024, KEY_2048

# --- SPF ---------------------------------------------------------------------------------------------------------


def test_spf_terms_and_lookup_count():
    record = parse_spf("v=spf1 ip4:192.0.2.0/24 a mx:mail.example.com include:_spf.google.com "
                       "exists:%{i}.x.example ptr -all exp=explain.example")
    assert record.includes == ["_spf.google.com"]
    assert record.all_qualifier == "-"
    assert record.own_lookups == 5  # a, mx, include, exists, ptr; ip4 and exp= cost nothing
    assert parse_spf("v=spf1 redirect=_spf.example.com").own_lookups == 1
    assert parse_spf("v=spf1 -all redirect=_spf.example.com").redirect is None  # ignored next to all


@pytest.mark.parametrize("text", ["v=spf1 include", "v=spf1 include:", "v=spf1 ip4:300.1.1.1", "v=spf1 ip4:2001:db8::1",
                                  "v=spf1 all:x", "v=spf1 frobnicate", "v=spf1 redirect=a redirect=b",
                                  "v=spf1 redirect=", "spf1 -all", "v=spf10 -all"])
def test_spf_syntax_errors(text):
    with pytest.raises(SpfSyntaxError):
        parse_spf(text)


def test_is_spf():
    assert is_spf("v=spf1") and is_spf("V=SPF1 -all")
    assert not is_spf("v=spf10") and not is_spf("google-site-verification=x") and not is_spf("v=DMARC1; p=none")


def test_recommended_spf_records():
    assert recommended("google") == "v=spf1 include:_spf.google.com ~all"
    assert recommended("microsoft") == "v=spf1 include:spf.protection.outlook.com -all"
    assert recommended("custom", "mail.acme.example") == "v=spf1 a:mail.acme.example ~all"
    assert recommended("custom") == "v=spf1 mx ~all"
    current = parse_spf("v=spf1 ip4:192.0.2.1 include:mailgun.org +all")
    assert recommended("google", current=current) == \
        "v=spf1 ip4:192.0.2.1 include:mailgun.org include:_spf.google.com ~all"
    kept = parse_spf("v=spf1 include:_spf.google.com -all")
    assert recommended("google", current=kept) == "v=spf1 include:_spf.google.com -all"
    redirected = parse_spf("v=spf1 redirect=_spf.acme.example")
    assert recommended("google", current=redirected) == "v=spf1 include:_spf.google.com redirect=_spf.acme.example"


_domain = st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,10}){1,3}", fullmatch=True)
_qualifier = st.sampled_from(["", "+", "-", "~", "?"])
_mechanism = st.one_of(
    st.tuples(_qualifier, st.just("include:"), _domain).map("".join),
    st.tuples(_qualifier, st.sampled_from(["a", "mx", "ptr"])).map("".join),
    st.tuples(_qualifier, st.sampled_from(["a:", "mx:", "exists:"]), _domain).map("".join),
    st.tuples(_qualifier, st.just("ip4:"), st.ip_addresses(v=4).map(str)).map("".join),
    st.tuples(_qualifier, st.just("ip6:"), st.ip_addresses(v=6).map(str)).map("".join),
)


@given(st.lists(_mechanism, max_size=12), st.one_of(st.none(), st.sampled_from(["-all", "~all", "?all", "+all"])))
def test_spf_round_trips_and_counts_its_lookups(terms, ending):
    text = " ".join(["v=spf1", *terms, *([ending] if ending else [])])
    record = parse_spf(text)
    assert parse_spf(str(record)) == record
    expected = sum(1 for t in terms if re.match(r"[+\-~?]?(include|a|mx|ptr|exists)\b(?!\d)", t)
                   and not t.lstrip("+-~?").startswith(("ip4", "ip6")))
    assert record.own_lookups == expected


@given(st.lists(_mechanism, max_size=8), st.one_of(st.none(), st.sampled_from(["-all", "~all", "?all", "+all"])),
       st.sampled_from(["google", "microsoft", "custom"]))
def test_the_recommended_fix_always_parses_and_never_lets_everyone_send(terms, ending, provider):
    current = parse_spf(" ".join(["v=spf1", *terms, *([ending] if ending else [])]))
    fixed = parse_spf(recommended(provider, "mail.acme.example", current))
    assert fixed.all_qualifier in {"-", "~"}
    if provider != "custom":
        assert f"include:{'_spf.google.com' if provider == 'google' else 'spf.protection.outlook.com'}" in \
            str(fixed).split()
    assert recommended(provider, "mail.acme.example", fixed) == str(fixed)  # fixing a fixed record changes nothing


@given(st.text(alphabet=string.printable, max_size=80))
def test_spf_parser_only_raises_its_own_error(text):
    try:
        record = parse_spf("v=spf1 " + text)
    except SpfSyntaxError:
        return
    assert parse_spf(str(record)) == record


# --- tag lists and DMARC ---------------------------------------------------------------------------------------

_tag_name = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
_tag_value = st.text(alphabet=string.ascii_letters + string.digits + ":@.,/+-_", max_size=20)


@given(st.dictionaries(_tag_name, _tag_value, max_size=8), st.sampled_from([";", "; ", " ;\t", ";  "]),
       st.booleans())
def test_tag_lists_round_trip(tags, separator, trailing):
    text = separator.join(f"{k}={v}" for k, v in tags.items()) + (";" if trailing else "")
    assert parse_tags(text) == tags


@pytest.mark.parametrize("text", ["p", "v=DMARC1; p=none; p=reject", "1x=y", "=novalue"])
def test_tag_list_errors(text):
    with pytest.raises(TagSyntaxError):
        parse_tags(text)


def test_dmarc_record():
    record = parse_dmarc("v=DMARC1; p=Quarantine; sp=reject; adkim=s; aspf=r; pct=50; "
                         "rua=mailto:a@acme.example,mailto:b@acme.example")
    assert (record.policy, record.subdomain_policy, record.adkim, record.aspf, record.pct) == \
        ("quarantine", "reject", "s", "r", 50)
    assert record.rua == ("mailto:a@acme.example", "mailto:b@acme.example")
    defaults = parse_dmarc("v=DMARC1; p=none")
    assert (defaults.subdomain_policy, defaults.adkim, defaults.aspf, defaults.rua) == ("none", "r", "r", ())
    assert defaults.with_tags(p="quarantine", rua="mailto:d@acme.example") == \
        "v=DMARC1; p=quarantine; rua=mailto:d@acme.example"


@pytest.mark.parametrize("text", ["v=DMARC1", "v=DMARC1; p=maybe", "p=none; v=DMARC1", "v=DMARC2; p=none",
                                  "v=DMARC1; p=none; adkim=x", "v=DMARC1; p=none; pct=150",
                                  "v=DMARC1; p=none; rua=dmarc@acme.example", "v=DMARC1; p=none; p=reject"])
def test_dmarc_syntax_errors(text):
    with pytest.raises(DmarcSyntaxError):
        parse_dmarc(text)


def test_is_dmarc():
    assert is_dmarc("v=DMARC1; p=none") and is_dmarc("v = DMARC1 ;p=none") and is_dmarc("v=DMARC1")
    assert not is_dmarc("v=spf1 -all") and not is_dmarc("v=DMARC10; p=none")


@given(st.sampled_from(["none", "quarantine", "reject"]), st.sampled_from(["r", "s"]), st.sampled_from(["r", "s"]),
       st.integers(0, 100), st.lists(st.emails(), max_size=3))
def test_dmarc_round_trips(policy, adkim, aspf, pct, reports):
    rua = ",".join(f"mailto:{r}" for r in reports)
    text = f"v=DMARC1; p={policy}; adkim={adkim}; aspf={aspf}; pct={pct}" + (f"; rua={rua}" if rua else "")
    record = parse_dmarc(text)
    assert (record.policy, record.adkim, record.aspf, record.pct, len(record.rua)) == \
        (policy, adkim, aspf, pct, len(reports))
    assert parse_dmarc(record.with_tags()) == record


@settings(max_examples=200)
@given(st.text(max_size=60))
def test_dmarc_parser_only_raises_its_own_error(text):
    try:
        record = parse_dmarc("v=DMARC1; " + text)
    except DmarcSyntaxError:
        return
    assert record.policy in {"none", "quarantine", "reject"}


# --- DKIM --------------------------------------------------------------------------------------------------------

def test_dkim_key_sizes():
    assert key_bits(f"v=DKIM1; k=rsa; p={KEY_2048}") == 2048
    assert key_bits(f"p={KEY_1024}") == 1024  # v= and k= are optional, rsa by default
    assert key_bits(f"v=DKIM1; p={KEY_512[:40]} {KEY_512[40:]}") == 512  # whitespace inside p= is allowed
    assert key_bits("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=") == 256


@pytest.mark.parametrize(("record", "why"), [("v=DKIM1; k=rsa; p=", "revoked"), ("v=DKIM1; k=rsa", "no p="),
                                             ("v=DKIM1; p=!!!", "base64"), ("v=DKIM1; p=AAAA", "RSA"),
                                             ("v=DKIM1; k=dsa; p=AAAA", "unknown key type")])
def test_dkim_keys_receivers_cannot_use(record, why):
    with pytest.raises(DkimKeyError, match=why):
        key_bits(record)


# --- which domains, texts, frame ---------------------------------------------------------------------------------

def test_targets_skip_personal_domains_and_take_the_usual_provider():
    accounts = [build_account("a@acme.example", "acme", provider_key="workspace"),
                build_account("b@ACME.example", "acme-mx", provider_key="workspace"),
                build_account("c@acme.example", "acme", provider_key="custom", smtp_host="mail.acme.example"),
                build_account("me@gmail.com", "acme", provider_key="gmail"),
                build_account("x@wp.pl", "nowak", provider_key="custom", smtp_host="smtp.wp.pl"),
                build_account("y@nowhere.example", "nowak", provider_key="undetected")]
    found = {t.domain: t for t in targets(accounts)}
    assert set(found) == {"acme.example", "nowhere.example"}
    assert found["acme.example"].provider == "google" and found["acme.example"].companies == ("acme", "acme-mx")
    assert found["acme.example"].smtp_host == "mail.acme.example"
    assert found["nowhere.example"].provider == ""  # decided from the MX at check time
    assert {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com"} <= PERSONAL_DOMAINS


def _said_in_code() -> set[str]:
    """Every sentence the domain modules hold (not docstrings, not f-string pieces): the causes and remedies."""
    found: set[str] = set()
    for path in Path("mailkit/domains").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}  # docstrings
        skip |= {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                    and re.match(r"[A-Z{]|mailkit ", node.value) and node.value.count(" ") >= 4:
                found.add(node.value)
    return found


def _catalogue_msgids() -> set[str]:
    from babel.messages.pofile import read_po

    with open("mailkit/i18n/locale/mailkit.pot", "rb") as template:
        return {message.id for message in read_po(template) if isinstance(message.id, str)}


def test_every_text_the_checks_say_is_in_the_catalogue():
    """Each cause and remedy is marked for extraction (so the catalogue test holds it to es and pl)."""
    said = _said_in_code()
    assert len(said) > 40  # the walk finds the causes and remedies at all
    assert sorted(said - _catalogue_msgids()) == []


def test_findings_speak_the_admins_language():
    finding = Finding("mx", OK, "{domain} receives mail at {host}.",
                      args={"domain": "a.example", "host": "mx.a.example"})
    assert finding.cause("es") == "a.example recibe el correo en mx.a.example."
    assert finding.cause("pl") == "a.example odbiera pocztę na mx.a.example."
    assert finding.cause("fr") == "a.example receives mail at mx.a.example."



def test_report_status_is_the_worst_finding_and_the_frame_has_a_row_per_check():
    findings = (Finding("mx", "ok", "{domain} receives mail at {host}.", args={"domain": "a.example", "host": "mx"}),
                Finding("spf", "missing", "Publish this TXT record at {name}: {record}", publish_name="a.example",
                        publish="v=spf1 -all"),
                Finding("dkim", "unchecked", "The domain {domain} does not exist in DNS.", args={"domain": "a"}),
                Finding("dmarc", "warning", "The domain {domain} does not exist in DNS.", args={"domain": "a"}))
    report = DomainReport("a.example", "google", ("acme",), findings)
    assert report.status == "missing"
    frame = domains_frame([report], "es")
    assert list(frame["check"]) == ["mx", "spf", "dkim", "dmarc"]
    assert frame.loc[1, "cause"] == "Publica este registro TXT en a.example: v=spf1 -all"
    assert frame.loc[1, "record to publish"] == "v=spf1 -all"
    assert report.as_dict("pl")["findings"][0]["cause"] == "a.example odbiera pocztę na mx."
