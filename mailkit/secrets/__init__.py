"""Secrets in keyring and nowhere else: the store, its backends, redaction, app passwords."""
