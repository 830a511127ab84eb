"""The shipped impact.toml less its [warehouse] tables, for tests that each set their own engine
(tests/engines builds on every engine; tests/orchestration checks the engine settings)."""

from partnership.config import DEFAULT_CONFIG_FILE


def without_warehouse() -> str:
    lines, skipping = [], False
    for line in DEFAULT_CONFIG_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            skipping = line.startswith("[warehouse")
        if not skipping:
            lines.append(line)
    return "\n".join(lines) + "\n"
