"""OAuth 2.0 for Google accounts: the admin's client, consent, the grant store, tokens, refresh, revoke."""
