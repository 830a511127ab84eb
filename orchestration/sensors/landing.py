"""The landing-folder sensor: a file dropped into landing/<feed>/ starts one ingest run for it.

Files are matched by the patterns declared in orchestration/landing_scan.py (LANDING_PATTERNS). The cursor
remembers, per file, its size and mtime at the last look and the sha256 it was taken with:
- a new file waits until its size and mtime are unchanged across two looks and it is
  `settle_seconds` old (still being copied), and while it is empty;
- then it is taken: one run of the feed's ingest asset, run key feed/name@sha256, tags naming it;
- the same bytes are never taken twice (same name, or a copy under another name), a changed file is;
- files already in the load audit (loaded before the sensor saw them) are recorded, not re-run.
Files stay where they are: the landing folder is what a full rebuild reads. The sensor never
raises on a file; an unreadable file is the run's failure, which the alert sensor reports.

The per-file record is a JSON file under the Dagster home (`landing_sensor/<serial>.json`, the
last two kept); the cursor the UI shows is a sentence a steward can read ("166 files taken ...;
2 waiting: ...") that ends by naming its record. A cleared cursor starts a fresh record (files
already loaded are still recognised by the load audit, and Dagster never reuses a run key).
"""


import json
import os
import re
import time
from collections import Counter
from pathlib import Path
from stat import S_ISREG

from dagster import (
    AssetsDefinition,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from ingest.loader import sha256_of
from orchestration.landing import landing_tags
from orchestration.landing_scan import landing_files
from partnership.config import Settings
from partnership.ledger import read_ledger

INGEST_JOB = "ingest_job"
RECORD_DIR = "landing_sensor"
_RECORD_NAME = re.compile(r"landing_sensor/(\d+)\.json$")
SETTLING = "may still be being written (waiting until it stops changing)"


def _is_candidate(path: Path) -> bool:
    # Office lock files (~$book.xlsx) and hidden partial copies are never data.
    return not path.name.startswith(("~$", "."))


class LandingLook:
    """One evaluation: the cursor before, what was decided for each file, the cursor after."""

    def __init__(self, files: dict[str, dict], settle_seconds: float, now: float):
        self.files: dict[str, dict] = {name: dict(entry) for name, entry in files.items()}
        self.settle_seconds, self.now = settle_seconds, now
        self.waiting: list[tuple[str, str]] = []  # (file, why it waits)
        self.requests: list[tuple[str, Path, str]] = []  # (feed, path, sha256)
        self.recorded: list[str] = []
        self.seen: set[str] = set()

    def taken_sha256s(self) -> set[str]:
        return {entry["sha256"] for entry in self.files.values() if entry.get("sha256")}

    def consider(self, feed: str, path: Path, known_loads) -> None:
        name = f"{feed}/{path.name}"
        self.seen.add(name)
        try:
            stat = path.lstat()  # a link is never followed
        except OSError as exc:  # vanished or unreadable between listing and looking
            self.waiting.append((name, f"cannot be looked at: {exc.strerror or exc}"))
            return
        entry = self.files.get(name, {})
        if not S_ISREG(stat.st_mode):
            # A symlink, directory or pipe named like data: one run, in which the ingest refuses and
            # records it (so the steward is told), never read.
            marker = f"not-a-regular-file:{stat.st_mode:o}:{stat.st_mtime}"
            if entry.get("sha256") != marker:
                self.files[name] = {"size": stat.st_size, "mtime": stat.st_mtime, "taken": True, "sha256": marker}
                self.requests.append((feed, path, marker))
            return
        same = entry.get("size") == stat.st_size and entry.get("mtime") == stat.st_mtime
        if same and entry.get("taken"):
            return
        self.files[name] = {**entry, "size": stat.st_size, "mtime": stat.st_mtime, "taken": False}
        if stat.st_size == 0:
            self.waiting.append((name, "is empty"))
        elif not same or self.now - stat.st_mtime < self.settle_seconds:
            self.waiting.append((name, SETTLING))
        else:
            self._take(feed, path, name, known_loads)

    def _take(self, feed: str, path: Path, name: str, known_loads) -> None:
        try:
            sha = sha256_of(path)
        except OSError as exc:
            self.waiting.append((name, f"cannot be read yet: {exc.strerror or exc}"))
            return
        already = sha in self.taken_sha256s() or sha in known_loads()
        self.files[name].update(sha256=sha, taken=True)
        if already:
            self.recorded.append(name)
        else:
            self.requests.append((feed, path, sha))

    def record(self) -> dict[str, dict]:
        # Taken files stay (their sha256 keeps a re-dropped copy from running again); files that
        # vanished before they were taken are forgotten.
        return {n: e for n, e in self.files.items() if e.get("taken") or e.get("sha256") or n in self.seen}

    def skip_message(self) -> str:
        """Why nothing runs, one clause per reason, a few file names each."""
        by_reason: dict[str, list[str]] = {}
        for name, reason in self.waiting:
            by_reason.setdefault(reason, []).append(name)
        clauses = []
        for reason, names in by_reason.items():
            if len(names) == 1:
                clauses.append(f"{names[0]} {reason}")
            else:
                plural = reason.replace("it stops", "they stop").replace("is empty", "are empty")
                clauses.append(f"{len(names)} files {plural}: {_some(names)}")
        return "; ".join(clauses) or "no new files in the landing folder"


def _some(names: list[str], shown: int = 3) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def record_path(settings: Settings, serial: int) -> Path:
    return settings.dagster_home / RECORD_DIR / f"{serial:06d}.json"


def read_record(settings: Settings, cursor: str | None) -> tuple[int, dict[str, dict]]:
    """The record a cursor names: (serial, per-file entries); (0, {}) for a cleared cursor."""
    if not cursor:
        return 0, {}
    if cursor.lstrip().startswith("{"):  # earlier versions kept the record in the cursor itself
        return 0, json.loads(cursor).get("files", {})
    found = _RECORD_NAME.search(cursor)
    if not found:
        return 0, {}
    serial = int(found.group(1))
    try:
        return serial, json.loads(record_path(settings, serial).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):  # gone: start afresh, run keys still prevent repeats
        return serial, {}


def write_record(settings: Settings, serial: int, files: dict[str, dict]) -> None:
    """Write record `serial` whole (then rename), and drop all but the previous one."""
    path = record_path(settings, serial)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_suffix(".tmp")
    staging.write_text(json.dumps({"files": files}, sort_keys=True), encoding="utf-8")
    os.replace(staging, path)
    for old in path.parent.glob("*.json"):
        if old.stem.isdigit() and int(old.stem) < serial - 1:
            old.unlink(missing_ok=True)


def cursor_summary(files: dict[str, dict], serial: int) -> str:
    """What the sensor has seen, for the steward who opens its page in the UI."""
    taken = Counter(name.split("/")[0] for name, entry in files.items() if entry.get("taken"))
    waiting = sorted(name for name, entry in files.items() if not entry.get("taken"))
    feeds = ", ".join(f"{feed} {count}" for feed, count in sorted(taken.items()))
    count = sum(taken.values())
    text = f"{count} file{'' if count == 1 else 's'} taken" + (f" ({feeds})" if feeds else "")
    text += f"; {len(waiting)} waiting" + (f": {_some(waiting)}" if waiting else "")
    return f"{text}. Per-file record: {RECORD_DIR}/{serial:06d}.json"


def run_request(feed: str, path: Path, sha256: str, asset_keys) -> RunRequest:
    return RunRequest(run_key=f"{feed}/{path.name}@{sha256}", job_name=INGEST_JOB,
                      asset_selection=list(asset_keys), tags=landing_tags(feed, path.name, sha256))


def build_landing_sensor(settings: Settings, ingest_assets: list):
    feeds = {a.op.name.removeprefix("ingest_"): a for a in ingest_assets
             if isinstance(a, AssetsDefinition) and a.op.name.startswith("ingest_")}

    @sensor(name="landing_folder", job_name=INGEST_JOB, default_status=DefaultSensorStatus.RUNNING,
            minimum_interval_seconds=settings.landing.sensor_interval_seconds,
            description=f"Starts an ingest run for each file dropped into {settings.landing_dir}/<feed>/ "
                        "once it has stopped changing; never the same file twice.")
    def landing_folder(context: SensorEvaluationContext):
        serial, before = read_record(settings, context.cursor)
        look = LandingLook(before, settings.landing.settle_seconds, time.time())
        known: set[str] | None = None

        def known_loads() -> set[str]:
            nonlocal known
            if known is None:
                ledger = read_ledger(settings)
                known = ledger.loaded_sha256s() if ledger else set()
            return known

        for feed in [f for f in feeds if settings.collects(f)]:  # other feeds' files are never loaded
            for path in landing_files(settings, feed):
                if _is_candidate(path):
                    look.consider(feed, path, known_loads)
        if look.recorded:
            more = len(look.recorded) - 5
            shown = ", ".join(look.recorded[:5]) + (f" and {more} more" if more > 0 else "")
            context.log.info(f"already loaded (same content), recorded without a run: {shown}")
        requests = [run_request(feed, path, sha, feeds[feed].keys) for feed, path, sha in look.requests]
        after = look.record()
        if after != before or not context.cursor or not _RECORD_NAME.search(context.cursor):
            serial += 1
            write_record(settings, serial, after)
        skip = None if requests else SkipReason(look.skip_message())
        return SensorResult(run_requests=requests, cursor=cursor_summary(after, serial), skip_reason=skip)

    return landing_folder
