"""The CLI's error framework: every failure as one line on stderr, exit 2 for bad arguments.

Library errors reach the user as ``click.ClickException`` (exit 1) or
``click.BadParameter``/``click.UsageError`` (exit 2); ``OneLineErrors``, the class of the
``kazscraper`` group, prints them, and a file the system refuses, in one format.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click


class OneLineErrors(click.Group):
    """Errors as one line on stderr (cron mails and log greps read one line), in one format
    for every command: ``kazscraper <command>: error: <message>``; exit 2 for usage.

    ``kazscraper crawl: error: Invalid value for '--since': ... (see 'kazscraper crawl --help')``
    A file the system refuses (read-only, full disk, missing) is an error of the
    environment, not a bug: one line and exit 1 too, whichever command met it.
    """

    command_path = "kazscraper"  # of the command being run, for errors raised outside click

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        finally:
            if ctx.invoked_subcommand:
                self.command_path = f"{ctx.command_path} {ctx.invoked_subcommand}"

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            path = exc.ctx.command_path if exc.ctx else self.command_path
            fail(path, f"{exc.format_message()} (see '{path} --help')", exc.exit_code)
        except click.ClickException as exc:
            fail(self.command_path, exc.format_message(), exc.exit_code)
        except click.Abort:
            fail(self.command_path, "aborted", 1)
        except (OSError, sqlite3.Error) as exc:
            fail(self.command_path, describe_error(exc), 1)
        sys.exit(code if isinstance(code, int) else 0)


def fail(command_path: str, message: str, exit_code: int) -> NoReturn:
    """Print ``<command path>: error: <message>`` as one line on stderr and exit."""
    click.echo(f"{command_path}: error: {' '.join(message.split())}", err=True)
    sys.exit(exit_code)


def describe_error(exc: BaseException) -> str:
    """An OS or SQLite error in words, with the file it concerns."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return str(exc) or type(exc).__name__
