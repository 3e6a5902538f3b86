"""Every package the code imports is declared in pyproject.toml, and every declared minimum
is the one .ci/run installs and tests (.ci/minimum-versions.txt)."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MINIMUMS = ROOT / ".ci" / "minimum-versions.txt"

# declared though no module imports them, and why
NOT_IMPORTED = {
    "tzdata": "zoneinfo reads it where the system has no time-zone database",
    "lxml-html-clean": "jusText (under trafilatura) imports it without declaring it",
}
# modules of the package that may import an optional extra at module level: nothing
# imports them unless the extra is installed (`kazscraper serve` imports the guard lazily)
OPTIONAL_MODULES = {"kazscraper/serve/datasette_guard.py": "datasette"}
# modules only imported by the commands that need their extra (crawl --redis, store)
OPTIONAL_PACKAGES = {"kazscraper/distributed/": "distributed"}
# test tools not pinned in the minimum-versions step: only test_lint runs them, in the main venv
UNPINNED_TEST_TOOLS = {"ruff", "mypy", "types-dateparser", "types-lxml"}


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement ("Scrapy>=2.18" -> "scrapy")."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def _minimum(requirement: str) -> str | None:
    match = re.search(r">=\s*([0-9][0-9.]*)", requirement)
    return match.group(1) if match else None


def _release(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


RUNTIME = {_name(r): r for r in PYPROJECT["project"]["dependencies"]}
EXTRAS = {
    extra: {_name(r) for r in reqs}
    for extra, reqs in PYPROJECT["project"]["optional-dependencies"].items()
}
DISTRIBUTIONS = {
    module: {_name(d) for d in dists}
    for module, dists in importlib.metadata.packages_distributions().items()
}


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Top-level names of the absolute imports in a file, each with whether the import
    runs when the module is imported (module level) or only inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, at_module_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((a.name.split(".")[0], at_module_level) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module.split(".")[0], at_module_level))
            inner = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, at_module_level and not inner)

    visit(tree, True)
    return found


def _third_party(folder: str) -> dict[str, set[tuple[str, bool]]]:
    """import name -> {(file, at module level)} for the third-party imports of a folder."""
    base = ROOT / folder
    local = {p.stem for p in base.rglob("*.py")} | {p.name for p in base.iterdir() if p.is_dir()}
    bench = {p.stem for p in (ROOT / "bench").glob("*.py")}  # tests may import bench's scripts
    first_party = {"kazscraper", "tests", *local, *bench}
    out: dict[str, set[tuple[str, bool]]] = {}
    for path in sorted(base.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for name, top in _imports(path):
            if name in sys.stdlib_module_names or name in first_party:
                continue
            out.setdefault(name, set()).add((rel, top))
    return out


def _undeclared(folder: str, allowed: set[str], lazy_allowed: set[str]) -> list[str]:
    problems = []
    for name, uses in sorted(_third_party(folder).items()):
        # not installed (e.g. bench's profiler, an extra CI does not install): take the
        # import name for the distribution's
        dists = DISTRIBUTIONS.get(name) or {_name(name)}
        for rel, top in sorted(uses):
            ok = allowed | ({OPTIONAL_MODULES[rel]} if rel in OPTIONAL_MODULES else set())
            for prefix, extra in OPTIONAL_PACKAGES.items():
                if rel.startswith(prefix):
                    ok |= EXTRAS[extra]
            if not top:
                ok |= lazy_allowed
            if not dists & ok:
                where = "at module level" if top else "inside a function"
                problems.append(f"{rel} imports {name} {where}: {sorted(dists)} not declared")
    return problems


def test_imports_find_both_kinds() -> None:
    # the scan sees module-level and in-function imports: the checks below are not vacuous
    imports = _third_party("kazscraper")
    assert ("kazscraper/cli/__init__.py", True) in imports["click"]
    assert ("kazscraper/extract/body.py", False) in imports["trafilatura"]
    assert DISTRIBUTIONS["sqlite_utils"] == {"sqlite-utils"}


def test_every_package_import_is_a_declared_dependency() -> None:
    # a lazy import (inside a function) may come from an extra, e.g. datasette for `serve`
    lazy = EXTRAS["datasette"] | EXTRAS["distributed"]
    assert _undeclared("kazscraper", set(RUNTIME), lazy) == []


def test_every_test_and_bench_import_is_declared() -> None:
    assert _undeclared("tests", set(RUNTIME) | EXTRAS["test"], set()) == []
    assert _undeclared("bench", set(RUNTIME) | EXTRAS["test"], EXTRAS["bench"]) == []


def test_every_dependency_is_imported_or_says_why_not() -> None:
    imported = set().union(*(DISTRIBUTIONS.get(n, set()) for n in _third_party("kazscraper")))
    assert set(RUNTIME) - imported == set(NOT_IMPORTED)


def _pins() -> dict[str, str]:
    pins = {}
    for line in MINIMUMS.read_text(encoding="utf-8").splitlines():
        spec = line.split("#", 1)[0].strip()
        if spec:
            name, _, version = spec.partition("==")
            assert version, f"{MINIMUMS.name}: {line!r} is not pinned with =="
            pins[_name(name)] = version.split(";", 1)[0].strip()  # a marker may follow
    return pins


def test_declared_minimums_are_the_tested_ones() -> None:
    pins = _pins()
    test_extra = PYPROJECT["project"]["optional-dependencies"]["test"]
    for requirement in [*PYPROJECT["project"]["dependencies"], *test_extra]:
        name, minimum = _name(requirement), _minimum(requirement)
        if name in UNPINNED_TEST_TOOLS:
            continue
        assert minimum, f"{requirement}: no >= minimum"
        assert name in pins, f"{name} is not pinned in {MINIMUMS.name}"
        assert _release(pins[name]) == _release(minimum), f"{name}: {pins[name]} != {minimum}"
    assert {_name(r) for r in test_extra} - set(pins) == UNPINNED_TEST_TOOLS


def test_minimum_versions_pin_only_declared_packages() -> None:
    declared = set(RUNTIME) | EXTRAS["test"]
    assert set(_pins()) - declared == set()
