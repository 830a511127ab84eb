"""Every absolute import in a tree of Python files, read with ast (imports inside functions count):
the import rule (test_architecture.py) and the dependency check (test_dependencies.py) both read
the code this way."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path


def absolute_imports(folder: Path) -> Iterator[tuple[str, Path]]:
    """(top-level module name, file) for every absolute import under `folder` (or in that file)."""
    files = [folder] if folder.suffix == ".py" else sorted(folder.rglob("*.py"))
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                yield module.split(".")[0], path
