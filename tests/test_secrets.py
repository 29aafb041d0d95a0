"""Secrets in keyring only: the store, the backends, redaction, and no plaintext fallback."""

from __future__ import annotations

import base64

import keyring
import pytest
from keyring.backends import fail

from mailkit.checks.core import plain_string, xoauth2_string
from mailkit.checks.results import Credentials
from mailkit.errors import SecretStoreError
from mailkit.secrets.backends import SandboxFileKeyring
from mailkit.secrets.redaction import redact
from mailkit.secrets.store import SecretKind, login_secret, secret_kind_for, secret_store


def test_store_roundtrip_keyed_by_account_and_kind(workspace, memory_keyring):
    store = secret_store(workspace)
    store.set("Facturas@Gmail.com", SecretKind.APP_PASSWORD, "qwhkpznrtvbelmsa")
    assert store.get("facturas@gmail.com", "app_password") == "qwhkpznrtvbelmsa"
    assert store.get("facturas@gmail.com", "password") is None
    assert ("mailkit", "facturas@gmail.com/app_password") in memory_keyring.store
    assert store.clear("facturas@gmail.com") == ["app_password"]
    assert store.get("facturas@gmail.com", "app_password") is None


def test_token_bundle_as_json(workspace):
    store = secret_store(workspace)
    store.set_json("a@gmail.com", SecretKind.OAUTH_TOKEN, {"refresh_token": "1//0gSecretRefreshToken-abc"})
    assert store.get_json("a@gmail.com", SecretKind.OAUTH_TOKEN)["refresh_token"].startswith("1//")


def test_damaged_token_bundle_is_a_store_error_that_quotes_nothing(workspace):
    store = secret_store(workspace)
    for damaged in ("1//0gNotJsonAtAll-abcdef", '["1//0gInAList-abcdef"]'):
        store.set("a@gmail.com", SecretKind.OAUTH_TOKEN, damaged)
        with pytest.raises(SecretStoreError, match="damaged: delete it with `mailkit secret clear") as caught:
            store.get_json("a@gmail.com", SecretKind.OAUTH_TOKEN)
        assert "1//0g" not in str(caught.value)


def test_keyring_errors_are_store_errors_and_redacted(workspace, memory_keyring, monkeypatch):
    from keyring.errors import KeyringError

    def refuse(service, username, password=None):
        raise KeyringError(f"backend refused {password or 'qwhkpznrtvbelmsa'}")

    store = secret_store(workspace)
    store.set("a@gmail.com", SecretKind.APP_PASSWORD, "qwhkpznrtvbelmsa")
    for name in ("get_password", "set_password", "delete_password"):
        monkeypatch.setattr(memory_keyring, name, refuse)
    for call in (lambda: store.get("a@gmail.com", "app_password"), lambda: store.delete("a@gmail.com", "password"),
                 lambda: store.set("a@gmail.com", "app_password", "qwhkpznrtvbelmsa")):
        with pytest.raises(SecretStoreError, match="the keyring: KeyringError") as caught:
            call()
        assert "qwhkpznrtvbelmsa" not in str(caught.value)


def test_no_backend_is_a_clear_error_not_plaintext(workspace):
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(SecretStoreError, match="cryptfile"):
        secret_store(workspace)
    assert not list(workspace.home.glob("*secret*"))


def test_sandbox_mode_without_backend_uses_the_sandbox_state_dir(workspace, tmp_path, monkeypatch):
    keyring.set_keyring(fail.Keyring())
    info = tmp_path / "sandbox.json"
    info.write_text('{"smtp": {"host": "127.0.0.1", "port": 1}, "smtps": {"host": "127.0.0.1", "port": 2},'
                    ' "imaps": {"host": "127.0.0.1", "port": 3}, "http": "https://127.0.0.1:4",'
                    f' "ca_cert": "ca.pem", "client_config": "c.json", "state_dir": "{tmp_path}"}}')
    (tmp_path / "ca.pem").write_text("")  # a sandbox.json whose CA file is missing is refused
    monkeypatch.setenv("MAILKIT_SANDBOX", str(info))
    store = secret_store(workspace)
    assert isinstance(store.backend, SandboxFileKeyring)
    store.set("a@gmail.com", SecretKind.PASSWORD, "Fake-Sandbox-Pw1")
    path = tmp_path / "sandbox-secrets.json"
    assert path.stat().st_mode & 0o777 == 0o600


def test_cryptfile_backend_with_passphrase_from_environment(workspace, monkeypatch):
    pytest.importorskip("keyrings.cryptfile")
    monkeypatch.setenv("MAILKIT_KEYRING_PASSPHRASE", "correct horse battery")
    workspace.set_setting("keyring.backend", "cryptfile")
    secret_store(workspace).set("a@gmail.com", SecretKind.APP_PASSWORD, "abcdefghijklmnop")
    data = (workspace.home / "secrets.cfg").read_bytes()
    assert b"abcdefghijklmnop" not in data
    assert secret_store(workspace).get("a@gmail.com", SecretKind.APP_PASSWORD) == "abcdefghijklmnop"
    monkeypatch.setenv("MAILKIT_KEYRING_PASSPHRASE", "wrong passphrase")
    with pytest.raises(SecretStoreError):
        secret_store(workspace).get("a@gmail.com", SecretKind.APP_PASSWORD)


def test_cryptfile_locked_without_passphrase_says_what_to_set(workspace, monkeypatch):
    pytest.importorskip("keyrings.cryptfile")
    monkeypatch.delenv("MAILKIT_KEYRING_PASSPHRASE", raising=False)
    workspace.set_setting("keyring.backend", "cryptfile")
    with pytest.raises(SecretStoreError, match="MAILKIT_KEYRING_PASSPHRASE"):
        secret_store(workspace)


def test_redact_masks_known_secrets_and_their_base64(workspace):
    secret_store(workspace).set("lupita@gmail.com", SecretKind.APP_PASSWORD, "qwhk pznr tvbe lmsa")
    text = (f"AUTH PLAIN {plain_string('lupita@gmail.com', 'qwhkpznrtvbelmsa')} pw=qwhkpznrtvbelmsa "
            f"shown as qwhk pznr tvbe lmsa, b64 {base64.b64encode(b'qwhkpznrtvbelmsa').decode()}")
    cleaned = redact(text)
    assert "qwhk" not in cleaned and "cXdoa3B6" not in cleaned and "AGx1cGl0" not in cleaned


def test_redact_masks_token_shapes_never_seen_before():
    raw = ("access ya29.a0AfH6SMBxyz-123 refresh 1//0gAbCdEfGhIjKlMn code=4/0AbCdEfGhIjKlMnOpQrStUvWx&scope=x "
           f"AUTH XOAUTH2 {xoauth2_string('a@gmail.com', 'tok-unseen-123456')} "
           '{"access_token": "opaque-value", "client_secret": "GOCSPX-abc"}')
    cleaned = redact(raw)
    for leaked in ("a0AfH6", "0gAbCd", "0AbCdEf", "opaque-value", "GOCSPX-abc", "dXNlcj1h"):
        assert leaked not in cleaned


def test_credentials_repr_hides_the_secret():
    creds = Credentials("PLAIN", "a@gmail.com", "Sup3r-Secret-Pw")
    assert "Sup3r" not in repr(creds) and "Sup3r" not in redact(f"failed with {creds.secret}")


def test_secret_kind_and_login_form_follow_the_accounts_auth():
    assert secret_kind_for("app_password") is SecretKind.APP_PASSWORD
    assert secret_kind_for("password") is SecretKind.PASSWORD
    assert secret_kind_for("oauth2") is SecretKind.PASSWORD
    assert login_secret(secret_kind_for("app_password"), "abcd efgh ijkl mnop") == "abcdefghijklmnop"
    assert login_secret("app_password", "abcd efgh") == "abcdefgh"
    assert login_secret(SecretKind.PASSWORD, "pass with spaces") == "pass with spaces"
