"""Files in -> typed, validated, lineage-stamped rows in DuckDB raw.*, the quarantine and the load audit."""

from ingest.anchors import Anchor, DeclaredAnchors
from ingest.loader import FileReport, load_file, load_files
from ingest.privacy import PostcodeLookup
from ingest.rules import DateWindow, IngestRules
from ingest.warehouse import ensure_raw_schema

__all__ = ["Anchor", "DateWindow", "DeclaredAnchors", "FileReport", "IngestRules", "PostcodeLookup",
           "ensure_raw_schema", "load_file", "load_files"]
