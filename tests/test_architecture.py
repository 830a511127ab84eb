"""The import rule of docs/architecture.md, enforced: the flow's packages import only the layers
below them; nothing but the command line imports the Dagster wiring (`orchestration/`), and nothing
imports the command line. Imports inside functions count too (ast, not grep)."""

import sys
from pathlib import Path

import pytest
from source_imports import absolute_imports

ROOT = Path(__file__).resolve().parents[1]

# package -> the project packages it may import (docs/architecture.md, "Who imports whom")
ALLOWED: dict[str, set[str]] = {
    "ingest": set(),
    "demo": set(),
    "partnership": {"ingest"},  # settings are validated against ingest's reference catalogue
    "exports": {"partnership", "ingest"},  # the file hash the load audit records, for the manifest
    "expectations": {"partnership", "exports"},  # the gate reuses the pack's disclosure auditor
    "publication": {"partnership", "ingest", "demo"},
    "orchestration": {"partnership", "ingest", "expectations", "exports", "publication", "demo"},
    "cli": {"partnership", "ingest", "expectations", "exports", "publication", "demo", "orchestration"},
}
PACKAGES = set(ALLOWED)


def imported_packages(package: str) -> dict[str, list[str]]:
    """Project package -> the files of `package` importing it."""
    found: dict[str, list[str]] = {}
    for top, path in absolute_imports(ROOT / package):
        if top in PACKAGES and top != package:
            found.setdefault(top, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_package_of_the_flow_is_listed():
    on_disk = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    assert on_disk == PACKAGES, f"a package not in the import rule: {on_disk ^ PACKAGES}"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_below_it(package):
    breaking = {target: files for target, files in imported_packages(package).items()
                if target not in ALLOWED[package]}
    assert not breaking, f"{package} may not import {sorted(breaking)}: {breaking}"


def test_only_the_command_line_imports_the_dagster_wiring_and_nothing_imports_it():
    importers = {package for package in ALLOWED if "orchestration" in imported_packages(package)}
    assert importers <= {"cli"}
    assert not [package for package in ALLOWED if "cli" in imported_packages(package)]


def test_the_rule_can_fail(tmp_path, monkeypatch):
    """A planted import of the wiring from the exports is caught (the check is not vacuous)."""
    package = tmp_path / "exports"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "leak.py").write_text("def f():\n    from orchestration.dbt import MANIFEST\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert imported_packages("exports") == {"orchestration": ["exports/leak.py"]}
