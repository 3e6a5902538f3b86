"""A pre-imported ``kazscraper`` that forks one real process per command run by the tests.

Each ``run_cli`` of the tests used to start a new Python and import Scrapy, Twisted,
trafilatura, htmldate and dateparser again: about a second of CPU before the command did
anything, some hundred times per test run on a 2-core machine. This server imports them
once (no reactor is installed by an import) and then, for each command, forks:

    server ──fork──► handler ──fork──► command (chdir, environment, argv, stdout/stderr
                        │                        files; ``kazscraper.cli.main``; a normal
                        └ waits, sends the code   interpreter exit: atexit, SQLite closes)

The command is a real process of its own, with its own pid (tests may signal it), its own
reactor (installed by the command, as in ``python -m kazscraper``) and a real exit status
(``-N`` when killed by signal N, as ``subprocess`` reports it). What differs from a fresh
``python -m kazscraper``: the modules above are already imported (a command that must not
import them is tested with its own ``python -c``, see tests/test_cli.py), and
``sys.modules['__main__']`` is this file (guarded below, for multiprocessing's forkserver).

Protocol on a Unix socket, one connection per command: the client sends one JSON line
``{"args", "cwd", "env", "stdout", "stderr"}``; the handler answers ``{"pid": N}`` once the
command runs and ``{"code": N}`` when it has ended.

``KAZSCRAPER_TEST_FORK=0`` in the tests' environment turns this off (a fresh process per
command, as before).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import socket
import sys

# what a crawl, reparse, store or read command imports; none of it installs a reactor
PRELOAD = (
    "kazscraper.cli",
    "kazscraper.crawler.runner",
    "kazscraper.crawler.spiders.news",
    "kazscraper.crawler.spiders.reparse",
    "kazscraper.extract.article",
    "kazscraper.archive",
    "kazscraper.replica.server",
    "scrapy.crawler",
    "trafilatura",
    "htmldate",
    "dateparser",
)


def _run_command(request: dict) -> None:
    """In the command's process: become the command, run it, exit as it exits."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, fd)
        os.close(out)
    os.close(devnull)
    sys.argv = [sys.argv[0], *request["args"]]
    from kazscraper.cli import main

    # click exits (SystemExit) with the command's code: nothing below catches it, so the
    # interpreter ends as ``python -m kazscraper`` would, atexit handlers and all
    main(request["args"], prog_name="kazscraper")


def _handle(conn: socket.socket) -> dict:
    """In the handler's process: start the command, report its pid, then its exit code,
    and end. Returns (the request) only in the command's process."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    with conn.makefile("rb") as reader:
        request = json.loads(reader.readline())
    pid = os.fork()
    if pid == 0:
        conn.close()
        return request
    conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    with contextlib.suppress(OSError):  # the test gave up (its timeout): nobody to tell
        conn.sendall(json.dumps({"code": code}).encode() + b"\n")
    os._exit(0)


def serve(path: str) -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    if "twisted.internet.reactor" in sys.modules:
        raise SystemExit("cli_zygote: an import installed a reactor; the commands need their own")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # handlers are reaped by the kernel
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    server.settimeout(1.0)  # to look at its parent once a second
    parent = os.getppid()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        try:
            conn, _ = server.accept()
        except TimeoutError:
            if os.getppid() != parent:  # the test process is gone (killed): so are we
                os._exit(0)
            continue
        conn.settimeout(None)
        if os.fork() == 0:
            server.close()
            try:
                request = _handle(conn)  # the handler never returns: os._exit
            except BaseException:
                os._exit(70)
            # the command's process, with nothing of the loop's on its stack but this frame
            _run_command(request)
        conn.close()


if __name__ == "__main__":
    serve(sys.argv[1])
