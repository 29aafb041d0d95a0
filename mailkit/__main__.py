"""`python -m mailkit` is the `mailkit` command."""

from mailkit.cli import main

main()
