"""What a landing-sensor run asks the ingest asset to load, and how a refusal fails that run.

The sensor names one dropped file per run in the run's tags (shown in the UI's run list). An ingest
run without these tags (`impact run`, a manual launch, a schedule) loads every file of the feed's
landing folder as before; files already loaded are recognised by their sha256 and skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dagster import Failure, MetadataValue

from partnership.config import Settings

FEED_TAG = "impact/landing_feed"
FILE_TAG = "impact/landing_file"
SHA256_TAG = "impact/landing_sha256"


def landing_tags(feed: str, file_name: str, sha256: str) -> dict[str, str]:
    return {FEED_TAG: feed, FILE_TAG: file_name, SHA256_TAG: sha256}


def requested_files(tags: Mapping[str, str], settings: Settings, feed: str) -> list[Path] | None:
    """The file the landing sensor launched this run for, or None when the run takes the whole folder."""
    if tags.get(FEED_TAG) != feed or not tags.get(FILE_TAG):
        return None
    path = settings.landing_dir / feed / tags[FILE_TAG]
    if not (path.exists() or path.is_symlink()):  # a link or odd entry is still taken: to be refused
        raise Failure(description=f"{feed}/{path.name} is no longer in the landing folder {path.parent}: "
                                  "nothing to load (put it back to load it)")
    return [path]


def fail_if_refused(tags: Mapping[str, str], reports: list) -> None:
    """A file dropped into the landing folder that could not be loaded fails its run, with the
    loader's reason (file, row, column), so the run-failure alert tells the steward."""
    if not tags.get(FILE_TAG):
        return
    refused = [r for r in reports if r.status == "refused"]
    if refused:
        raise Failure(
            description="; ".join(r.message for r in refused),
            metadata={"files_refused": MetadataValue.json({r.file: r.message for r in refused})},
        )
