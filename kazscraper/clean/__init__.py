"""Cleaning what extraction found: ``text`` normalises Kazakh web text, ``article`` a record."""
