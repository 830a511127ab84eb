"""The version of the code that made a pack or a snapshot, so a published figure can be traced to
the exact source: the package version from its installed metadata plus the git commit of the
checkout it runs from (with `+dirty` when the checkout has uncommitted changes). An install with no
git checkout beside it (a wheel) says so rather than guessing."""

import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DISTRIBUTION = "impact-warehouse"
SOURCE_ROOT = Path(__file__).resolve().parents[1]


def package_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # running from a bare checkout, never installed
        return "uninstalled"


def git_commit(root: Path = SOURCE_ROOT) -> str | None:
    """The checkout's commit (12 hex digits), `+dirty` if tracked files changed; None without git."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              check=True, timeout=10).stdout.strip()
    try:
        commit = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


@cache
def code_version() -> str:
    """`0.1.0+g1a2b3c4d5e6f` (PEP 440 local label), `0.1.0+g1a2b3c4d5e6f.dirty`, or `0.1.0+unknown`."""
    commit = git_commit()
    if commit is None:
        return f"{package_version()}+unknown"
    return f"{package_version()}+g{commit.replace('+dirty', '.dirty')}"
