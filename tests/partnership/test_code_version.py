"""The code version names the package version and the exact commit, and says so when it cannot."""

import shutil
import subprocess
import tomllib
from pathlib import Path

from partnership.code_version import code_version, git_commit, package_version

ROOT = Path(__file__).resolve().parents[2]


def test_the_package_version_is_the_one_declared():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert package_version() == declared


def test_the_commit_is_the_checkout_head():
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    commit = git_commit()
    assert commit is not None and head.startswith(commit.removesuffix("+dirty"))
    assert code_version().startswith(f"{package_version()}+g{head[:12]}")


def test_a_changed_tracked_file_marks_the_version_dirty(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    run = lambda *a: subprocess.run(["git", "-C", str(repo), *a], check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    (repo / "f.txt").write_text("one")
    run("add", "f.txt")
    run("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one")
    clean = git_commit(repo)
    (repo / "f.txt").write_text("two")
    assert git_commit(repo) == f"{clean}+dirty"
    assert clean is not None and len(clean) == 12


def test_without_git_the_commit_is_unknown_not_guessed(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    assert git_commit(tmp_path) is None
