"""Dependencies are declared exactly as imported: a package imported but not declared works only
while something else happens to pull it in, and one declared but never used is dead weight every
machine installs. This reads every import of the project's packages and tests (ast, not grep) and
maps it to its distribution through the installed metadata."""

import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from source_imports import absolute_imports

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
OWN = {"orchestration", "ingest", "expectations", "exports", "demo", "publication", "cli",
       "partnership", "tests"}
PRODUCT = ["orchestration", "ingest", "expectations", "exports", "demo", "publication", "cli",
           "partnership"]

# Declared but reached without an import statement of ours, each for a stated reason.
USED_WITHOUT_IMPORT = {
    "dagster-webserver": "`impact ui` starts the dagster-webserver process",
    "dbt-core": "the dbt CLI and dagster-dbt drive it",
    "dbt-duckdb": "the dbt adapter for the working DuckDB file (profiles.yml)",
    "dbt-postgres": "the dbt adapter for [warehouse] engine = postgres",
    "dbt-spark": "the dbt adapter for [warehouse] engine = spark",
    "fastexcel": "Polars' read_excel engine (the calamine reader)",
    "pyarrow": "Polars <-> DuckDB Arrow hand-over and the Parquet copies",
    "pyspark": "the local Spark session dbt-spark starts for [warehouse] engine = spark",
    "ruff": "the lint command (make lint)",
    "mypy": "the type checker (make typecheck, part of make test)",
    "pytest-xdist": "make test runs the suite on two workers (pytest -n 2)",
    "types-pyyaml": "type stubs mypy reads for PyYAML (make typecheck)",
}


def _name(requirement: str) -> str:
    return Requirement(requirement).name.lower().replace("_", "-")


def _declared(*groups: str) -> set[str]:
    names = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    for group in groups:
        names |= {_name(r) for r in PYPROJECT["project"]["optional-dependencies"][group]}
    return names


def _imports(folders: list[str]) -> dict[str, Path]:
    """Top-level module name -> first file importing it, for every absolute import."""
    found: dict[str, Path] = {}
    for folder in folders:
        for top, path in absolute_imports(ROOT / folder):
            found.setdefault(top, path.relative_to(ROOT))
    return found


def _third_party(imports: dict[str, Path]) -> dict[str, tuple[str, Path]]:
    """Distribution name -> (module, file) for imports that are neither stdlib nor ours."""
    owners = packages_distributions()
    local = {path.stem for path in (ROOT / "tests").rglob("*.py")}
    result: dict[str, tuple[str, Path]] = {}
    for module, path in imports.items():
        if module in sys.stdlib_module_names or module in OWN or module in local:
            continue
        distributions = owners.get(module)
        assert distributions, f"{path}: imports {module!r}, which no installed distribution provides"
        names = [d.lower().replace("_", "-") for d in distributions]
        # a namespace shared by several distributions (dbt: dbt-core, dbt-adapters, dbt-duckdb...)
        # is declared when one of them is
        core, extras = _declared(), _declared("dev", "engines")
        chosen = next((n for n in names if n in core), next((n for n in names if n in extras), names[0]))
        result[chosen] = (module, path)
    return result


def _existing(folders: list[str]) -> list[str]:
    return [f for f in folders if (ROOT / f).exists()]


def test_every_import_of_the_product_is_a_declared_dependency():
    imported = _third_party(_imports(_existing(PRODUCT)))
    undeclared = {d: f"{m} in {p}" for d, (m, p) in imported.items() if d not in _declared("engines")}
    assert not undeclared, f"imported by the product but not in [project] dependencies: {undeclared}"


def test_the_core_dependencies_do_not_need_an_extra():
    """The engines extra is optional: only the engine adapters may import what it brings."""
    imported = _third_party(_imports(_existing(PRODUCT)))
    extra_only = _declared("engines") - _declared()
    misplaced = {d: str(p) for d, (_, p) in imported.items()
                 if d in extra_only and "engines" not in p.parts}
    assert not misplaced, f"an engines-extra package imported outside orchestration engines: {misplaced}"


def test_every_import_of_the_tests_is_declared():
    imported = _third_party(_imports(["tests"]))
    undeclared = {d: f"{m} in {p}" for d, (m, p) in imported.items()
                  if d not in _declared("dev", "engines")}
    assert not undeclared, f"imported by the tests but not declared (dev extra): {undeclared}"


@pytest.mark.parametrize("group", [None, "dev", "engines"])
def test_every_declared_dependency_is_used(group):
    declared = _declared() if group is None else _declared(group) - _declared()
    imported = set(_third_party(_imports(_existing(PRODUCT) + ["tests"])))
    unused = sorted(declared - imported - set(USED_WITHOUT_IMPORT))
    assert not unused, f"declared in {group or 'dependencies'} but never imported: {unused}"


def test_every_declared_dependency_is_pinned_in_the_constraints():
    pinned = {line.split("==")[0].strip().lower().replace("_", "-")
              for line in (ROOT / "constraints.txt").read_text().splitlines()
              if "==" in line and not line.lstrip().startswith("#")}
    missing = sorted(_declared("dev", "engines") - pinned)
    assert not missing, f"declared but not pinned in constraints.txt: {missing}"
