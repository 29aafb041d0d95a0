"""Checking one account: SMTP and IMAP sign-in, the steps and transcript, test messages."""
