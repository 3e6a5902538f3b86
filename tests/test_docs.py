"""The README and docs/*.md cannot drift: their console examples run, their links resolve.

Convention (docs/testing.md says it for writers):

- A ```console block is an example that runs: each ``$ `` line is a command (a line with an
  open quote goes on to the next), the lines after it are its output (stdout and stderr as a
  terminal shows them). ``kazscraper ...`` runs in this process (click's CliRunner), except
  ``demo``, which runs in a subprocess (Scrapy's reactor runs once per process); ``sqlite3``
  runs as a subprocess; ``$ echo $?`` prints the exit code of the previous command. A command
  must exit 0 unless an ``$ echo $?`` follows it.
- Every block runs in one working folder, shared by the session; the blocks that run
  ``kazscraper demo`` run first, in document order, and build ``archive/demo.sqlite`` there.
- Normalised on both sides before comparing: ``127.0.0.1:<port>``, ISO timestamps, WARC file
  stamps and offsets, durations (``in 3.0s``), article ids (``#12``, given in fetch order);
  trailing spaces. In expected output a line ``…`` stands for any lines, a ``…`` inside a line
  for any text.
- ``<!-- not run: REASON -->`` on the line before a block leaves it out; the reason is required.
"""

from __future__ import annotations

import fcntl
import importlib
import importlib.util
import os
import random
import re
import shlex
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from kazscraper.cli import main
from kazscraper.replica.server import ReplicaServer

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINKING = [*PAGES, ROOT / "archive" / "README.md", ROOT / "bench" / "README.md"]
FIXED_LINES = [
    "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/kazscraper crawl",
    "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/pytest",
]
DEMO_PORTS = (8470, 8471)  # the ports the docs' demo output shows
NOT_RUN = re.compile(r"<!--\s*not run:\s*(.*?)\s*-->")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)


@dataclass
class Command:
    line: str
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    page: Path
    lineno: int
    kind: str
    text: str
    not_run: str | None  # the reason given, "" when the marker gives none, None: no marker

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.lineno}"

    def commands(self) -> list[Command]:
        commands: list[Command] = []
        lines = self.text.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("$ "):
                cmd = line[2:]
                while not _complete(cmd) and i + 1 < len(lines):
                    i += 1
                    cmd += "\n" + lines[i]
                commands.append(Command(cmd))
            elif commands:
                commands[-1].expected.append(line)
            else:
                raise AssertionError(f"{self.id}: output before the first '$ ' line: {line!r}")
            i += 1
        return commands


def _complete(cmd: str) -> bool:
    try:
        shlex.split(cmd)
    except ValueError:
        return False
    return True


def blocks(kind: str | None = None) -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
            marker = NOT_RUN.search(before)
            reason = marker.group(1) if marker else ("" if "not run" in before else None)
            lineno = text.count("\n", 0, m.start()) + 1
            found.append(Block(page, lineno, m.group(1), m.group(2), reason))
    return [b for b in found if kind is None or b.kind == kind]


CONSOLE = [b for b in blocks("console") if b.not_run is None]


def is_setup(block: Block) -> bool:
    return any(c.line.startswith("kazscraper demo") for c in block.commands())


# -- normalisation and matching ------------------------------------------------------------

NORMALISE = [
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)"), "<time>"),
    (re.compile(r"\d{14}-\d{5}(\.warc\.gz)(?:\.open)?@\d+"), r"<stamp>\1@<offset>"),
    (re.compile(r"\d{14}-\d{5}"), "<stamp>"),
    (re.compile(r" in \d+(?:\.\d+)?s\b"), " in <t>s"),
    (re.compile(r"#\d+"), "#<id>"),
]


def normalise(text: str) -> list[str]:
    for pattern, repl in NORMALISE:
        text = pattern.sub(repl, text)
    return [line.rstrip() for line in text.rstrip("\n").split("\n")] if text.strip() else []


def matches(expected: list[str], actual: str) -> bool:
    parts = []
    for line in normalise("\n".join(expected)):
        if line.strip() == "…":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*".join(re.escape(p) for p in line.split("…")) + r"\n")
    got = "".join(line + "\n" for line in normalise(actual))
    return re.fullmatch("".join(parts), got) is not None


# -- running --------------------------------------------------------------------------------


@dataclass
class Shell:
    """The session's working folder and the ports its demo really runs on."""

    cwd: Path
    ports: tuple[int, int]
    last_exit: int = 0

    def command_words(self, line: str) -> list[str]:
        for doc_port, port in zip(DEMO_PORTS, self.ports, strict=True):
            line = line.replace(f"127.0.0.1:{doc_port}", f"127.0.0.1:{port}")
        return shlex.split(line)

    def run(self, line: str) -> str:
        words = self.command_words(line)
        if words == ["echo", "$?"]:
            return f"{self.last_exit}\n"
        if words[0] == "kazscraper" and words[1:2] == ["demo"]:
            done = subprocess.run(
                [sys.executable, "-m", "kazscraper", *words[1:], "--port", str(self.ports[0])],
                cwd=self.cwd,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            self.last_exit = done.returncode
            return done.stderr + done.stdout  # the replica's line (stderr) comes first
        if words[0] == "kazscraper":
            cwd = Path.cwd()
            os.chdir(self.cwd)
            try:
                result = CliRunner().invoke(main, words[1:], prog_name="kazscraper")
            finally:
                os.chdir(cwd)
            self.last_exit = result.exit_code
            if result.exception and not isinstance(result.exception, SystemExit):
                raise result.exception
            return result.output
        if words[0] == "sqlite3":
            if shutil.which("sqlite3") is None:
                pytest.skip("the sqlite3 command-line shell is not installed")
            done = subprocess.run(words, cwd=self.cwd, capture_output=True, text=True, check=False)
            self.last_exit = done.returncode
            return done.stdout + done.stderr
        raise AssertionError(f"no runner for {line!r}: mark the block <!-- not run: REASON -->")


def free_port_pair() -> tuple[int, int]:
    """Two free ports in a row, away from 8470 (other test runs' demos take the default)."""
    for first in random.sample(range(20000, 30000, 2), 50):
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", first))
                b.bind(("127.0.0.1", first + 1))
        except OSError:
            continue
        return first, first + 1
    raise AssertionError("no two free ports in a row on 127.0.0.1")


@pytest.fixture(scope="session")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Shell, dict[str, str]]]:
    """One working folder; the demo blocks run there first, their outputs kept by block id."""
    sh = Shell(tmp_path_factory.mktemp("docs"), free_port_pair())
    outputs: dict[str, str] = {}
    for block in CONSOLE:
        if is_setup(block):
            outputs[block.id] = run_block(sh, block)
    yield sh, outputs


def run_block(sh: Shell, block: Block) -> str:
    """Run every command of ``block``; report the first whose output differs."""
    problems = []
    for command in block.commands():
        got = sh.run(command.line)
        if (
            not command.line.startswith("echo ")
            and sh.last_exit
            and not _checked_exit(block, command)
        ):
            problems.append(f"$ {command.line}\nexited {sh.last_exit}:\n{got}")
        elif not matches(command.expected, got):
            problems.append(f"$ {command.line}\n--- the docs say:\n" + "\n".join(command.expected))
            problems.append(f"--- it printed:\n{got}")
    return "\n".join(problems)


def _checked_exit(block: Block, command: Command) -> bool:
    commands = block.commands()
    after = commands[commands.index(command) + 1 :]
    return bool(after) and after[0].line == "echo $?"


@pytest.mark.parametrize("block", CONSOLE, ids=lambda b: b.id)
def test_console_example(block: Block, shell: tuple[Shell, dict[str, str]]) -> None:
    sh, outputs = shell
    problems = outputs[block.id] if block.id in outputs else run_block(sh, block)
    assert not problems, f"{block.id}:\n{problems}"


def test_every_block_left_out_says_why() -> None:
    silent = [b.id for b in blocks() if b.not_run == ""]
    assert not silent, f"<!-- not run: REASON --> needs a reason: {silent}"


# -- the cron line ----------------------------------------------------------------------------

CRON = re.compile(r"^\S+ \S+ \S+ \S+ \S+ (cd /srv/kazscraper && .*)$", re.M)


def cron_lines() -> list[tuple[str, str]]:
    return [(b.id, m.group(1)) for b in blocks("cron") for m in CRON.finditer(b.text)]


def test_the_cron_line_is_the_same_everywhere() -> None:
    assert len({line for _, line in cron_lines()}) == 1, cron_lines()


def test_the_cron_line_mails_only_failures(tmp_path: Path, replica: ReplicaServer) -> None:
    """Run the documented crontab command with sh, as cron would: a good run prints nothing
    (no mail) and logs its summary; a failed run and a run that finds the lock taken print
    their one line (cron mails it), and log it too. The three runs go at once."""
    command = cron_lines()[0][1].replace("/srv/kazscraper", str(tmp_path))
    shim = tmp_path / ".venv" / "bin" / "kazscraper"
    shim.parent.mkdir(parents=True)
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m kazscraper "$@" $KZ_TEST_ARGS\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "archive").mkdir()

    def cron(*args: str) -> subprocess.Popen[str]:
        env = {**os.environ, "KZ_TEST_ARGS": " ".join(args)}
        return subprocess.Popen(
            ["/bin/sh", "-c", command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    site = ("--start-url", replica.origin + "/", "--mirror", replica.mirror_origin)
    with (tmp_path / "archive" / "busy.sqlite.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        runs = {
            "good": cron(*site),
            "busy": cron(*site, "--db", "archive/busy.sqlite"),
            "failed": cron("--start-url", f"http://127.0.0.1:{closed}/"),
        }
        out = {name: (run.wait(timeout=300), *run.communicate()) for name, run in runs.items()}
    logged = (tmp_path / "archive" / "logs" / "cron.log").read_text().splitlines()

    assert out["good"] == (0, "", "")
    assert any(line.startswith("ok: ") for line in logged)
    code, mailed, errors = out["busy"]
    assert (code, errors) == (75, "")
    assert mailed.startswith("kazscraper crawl: error: another kazscraper run")
    assert mailed.count("\n") == 1 and mailed.strip() in logged
    code, mailed, errors = out["failed"]
    assert (code, errors) == (1, "")
    assert mailed.startswith("FAILED: ") and mailed.count("\n") == 1
    assert mailed.strip() in logged


# -- links and size -------------------------------------------------------------------------

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def anchors(page: Path) -> set[str]:
    """GitHub's anchors for the headings of ``page``."""
    found = set()
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", "")).replace(" ", "-")
        found.add(slug)
    return found


@pytest.mark.parametrize("page", LINKING, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for target in LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or (anchor and file.suffix == ".md" and anchor not in anchors(file)):
            broken.append(target)
    assert not broken, f"{page.name}: links to nothing: {broken}"


def test_every_docs_page_is_linked_from_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = {t.partition("#")[0] for t in LINK.findall(readme)}
    missing = [p.name for p in PAGES[1:] if f"docs/{p.name}" not in linked]
    assert not missing, f"docs pages the README does not link: {missing}"


def test_readme_is_short_and_starts_with_the_two_lines() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 300, f"README.md has {len(lines)} lines, at most 300"
    first = next(b for b in blocks() if b.page.name == "README.md")
    assert (first.lineno, first.text.splitlines()) == (3, FIXED_LINES)


NAMED_PATH = re.compile(r"(?<![\w/.-])kazscraper/[\w/]*?\w+\.py\b")
NAMED_MODULE = re.compile(r"(?<![\w./-])kazscraper(?:\.[A-Za-z_]\w*)+")
NOT_MODULES = {"kazscraper.service", "kazscraper.timer"}  # systemd unit files


def _importable(dotted: str) -> bool:
    """A module, or a name in a module (``kazscraper.crawler.runner.run_crawl``)."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        try:
            found = importlib.util.find_spec(".".join(parts[:n])) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            obj: object = importlib.import_module(".".join(parts[:n]))
            for name in parts[n:]:
                if not hasattr(obj, name):
                    return False
                obj = getattr(obj, name)
            return True
    return False


@pytest.mark.parametrize("page", LINKING, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_the_docs_name_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    paths = [p for p in sorted(set(NAMED_PATH.findall(text))) if not (ROOT / p).exists()]
    modules = sorted(set(NAMED_MODULE.findall(text)) - NOT_MODULES)
    missing = paths + [m for m in modules if not _importable(m)]
    assert not missing, f"{page.name} names modules that do not exist: {missing}"


def test_architecture_names_every_module() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = ROOT / "kazscraper"
    unnamed = [
        str(p.relative_to(package))
        for p in sorted(package.rglob("*.py"))
        if p.name != "__init__.py" and f"{p.name}`" not in text
    ]
    assert not unnamed, f"docs/architecture.md does not name: {unnamed}"
