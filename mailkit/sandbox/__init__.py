"""A local Gmail: SMTP (STARTTLS and implicit TLS), IMAP and Google's OAuth/Directory endpoints on 127.0.0.1."""
