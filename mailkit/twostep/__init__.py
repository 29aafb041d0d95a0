"""2-Step Verification per account, and reading it from the Directory API."""
