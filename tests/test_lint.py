"""The code stays ruff-clean (check and format) and mypy-clean, and CI runs the README's test
command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if exe is None:
        pytest.fail("ruff is not installed: install the test extra (pip install -e '.[test]')")
    return subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_check() -> None:
    result = ruff("check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy() -> None:
    """``mypy`` (configured in pyproject.toml) finds no type error in the package; its cache
    stays in the git-ignored .mypy_cache, so a run after a small change is quick."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "kazscraper"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if "No module named mypy" in result.stderr:
        pytest.fail("mypy is not installed: install the test extra (pip install -e '.[test]')")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readme_test_command() -> None:
    readme_lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    test_command = next(line for line in readme_lines[:6] if "pytest" in line)
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
