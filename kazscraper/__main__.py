"""``python -m kazscraper`` is the ``kazscraper`` command."""

from kazscraper.cli import main

main(prog_name="kazscraper")
