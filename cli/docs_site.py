"""`impact docs`: the dbt documentation site (every mart column described, the metric catalogue),
generated from the published snapshot and served on localhost or opened as one static file.

`dbt docs generate` reads the database for its catalogue. It is pointed at a private copy of the
snapshot (the snapshot is only ever replaced, never written in place, so a file copy is one whole
publication), so it neither takes the warehouse's writer lock nor touches what evaluators read."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from orchestration.dbt import DBT_EXECUTABLE, dbt_vars
from partnership.config import DBT_PROJECT_DIR, Settings

SITE_FILES = ("index.html", "manifest.json", "catalog.json")
# dbt's page template cuts every column description to one line with "…"; evaluators read them whole.
CLIPPED_CELL = "text-overflow: ellipsis; overflow-x: hidden; white-space: nowrap; max-width: 1px;"
WRAPPED_CELL = "white-space: normal; overflow-wrap: anywhere; width: 45%;"


class DocsError(RuntimeError):
    """The documentation site could not be generated; the message says why."""


def generate_site(settings: Settings) -> Path:
    """Run `dbt docs generate --static` against a copy of the snapshot; return the site folder."""
    published = settings.published_path
    if not published.exists():
        raise DocsError(f"no published snapshot at {published}: run `impact demo` or `impact run` first")
    site = settings.docs_dir
    site.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="impact-docs-") as scratch:
        # same file name as the warehouse, so the catalogue's database name matches the manifest's
        copy = Path(scratch) / settings.warehouse_path.name
        shutil.copyfile(published, copy)
        copy.chmod(0o644)
        # the snapshot is DuckDB whichever engine built the marts
        env = os.environ | {"IMPACT_WAREHOUSE_PATH": str(copy), "IMPACT_DBT_TARGET": "duckdb",
                             "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        result = subprocess.run(
            [DBT_EXECUTABLE, "docs", "generate", "--static", "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(site),
             "--log-path", str(Path(scratch) / "logs"), "--vars", json.dumps(dbt_vars(settings)), "--quiet"],
            capture_output=True, text=True, env=env, cwd=DBT_PROJECT_DIR,
        )
    if result.returncode != 0:
        raise DocsError(f"dbt docs generate failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    missing = [name for name in SITE_FILES if not (site / name).exists()]
    if missing:
        raise DocsError(f"dbt docs generate wrote no {', '.join(missing)} in {site}")
    for page in ("index.html", "static_index.html"):
        unclip_descriptions(site / page)
    return site


def unclip_descriptions(page: Path) -> None:
    """Let the column tables wrap their descriptions instead of cutting them to one line."""
    if page.exists():
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace(CLIPPED_CELL, WRAPPED_CELL), encoding="utf-8")


def serve(site: Path, host: str, port: int) -> None:
    """Serve the site until interrupted (localhost by default: the docs describe the data)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        print(f"dbt docs on http://{host}:{port}/ (Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
