"""deploy/compose.yaml (issue 26: an operator's kit): it parses, it has Redis, the store and
several workers, the Redis URL comes from a secret file, and every kazscraper command in it
is one the command line accepts, option by option (click's own parser, as at run time).
``docker compose config`` checks it too where Docker's compose plugin is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from kazscraper.cli import main
from kazscraper.crawler.middlewares.warc_capture import warc_directory

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
SECRET = "/run/secrets/redis_url"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def parse(args: list[str], secret: Path) -> click.Context:
    """``kazscraper ARGS`` through the real commands' parser (types, choices, files), the
    secret's path swapped for a file that exists here; nothing is run."""
    args = [str(secret) if a == SECRET else a for a in args]
    command = main.get_command(click.Context(main), args[0])
    assert command is not None, f"no command {args[0]!r}"
    return command.make_context(args[0], args[1:])


def test_compose_has_redis_a_store_and_several_workers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"redis", "store", "worker"}
    assert services["worker"]["deploy"]["replicas"] >= 2
    redis_line = " ".join(services["redis"]["command"])
    for setting in ("--requirepass", "--appendonly yes", "--maxmemory-policy noeviction"):
        assert setting in redis_line
    for name in ("store", "worker"):
        assert services[name]["secrets"] == ["redis_url"]
        assert SECRET in services[name]["command"]
        assert not any(a.startswith("redis://") for a in services[name]["command"])
    assert compose["secrets"]["redis_url"]["file"] == "./secrets/redis_url"
    assert (DEPLOY / ".gitignore").read_text().split() == ["secrets/"]  # never committed
    dockerfile = DEPLOY / compose["services"]["store"]["build"]["dockerfile"].split("/")[-1]
    assert 'ENTRYPOINT ["kazscraper"]' in dockerfile.read_text()


def test_the_commands_are_the_clis_own(compose: dict[str, Any], tmp_path: Path) -> None:
    secret = tmp_path / "redis_url"
    secret.write_text("redis://:secret@redis:6379/0\n")
    store = parse(compose["services"]["store"]["command"], secret)
    worker = parse(compose["services"]["worker"]["command"], secret)
    assert store.params["follow"] and store.params["redis_url_file"] == str(secret)
    assert worker.params["redis_url_file"] == str(secret)
    assert worker.params["idle_timeout"] == 300
    # the workers write their WARC files where the store's archive has its own
    assert warc_directory(worker.params["db_path"]) == warc_directory(store.params["db_path"])
    for service in ("store", "worker"):
        command = compose["services"][service]["command"][0]
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Usage: main " + command in result.output


def test_docker_compose_config_accepts_it(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker is not installed")
    found = subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        reason = (found.stderr.strip().splitlines() or ["?"])[0][:120]
        pytest.skip(f"docker's compose plugin is not installed ({reason})")
    secrets = DEPLOY / "secrets"
    made = not secrets.exists()
    if made:  # the files the compose file names, for the check only
        secrets.mkdir()
        (secrets / "redis_password").write_text("x\n")
        (secrets / "redis_url").write_text("redis://:x@redis:6379/0\n")
    try:
        result = subprocess.run(
            [docker, "compose", "-f", str(COMPOSE), "config", "--quiet"],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        if made:
            shutil.rmtree(secrets)
    assert result.returncode == 0, result.stderr
