"""The landing sensor on real files in a temporary landing folder, and the runs it starts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterEventType, SensorResult, build_sensor_context, instance_for_test

from ingest.loader import sha256_of
from orchestration.assets.ingest import build_ingest_assets
from orchestration.landing import FEED_TAG, FILE_TAG, SHA256_TAG
from orchestration.sensors.landing import INGEST_JOB, build_landing_sensor, read_record

CORPUS = Path(__file__).resolve().parents[1] / "ingest" / "corpus"
SPEND_KEYS = {AssetKey(["raw", t]) for t in ("spend__payments", "spend__suppliers", "spend__contracts")}


class Landing:
    """The steward's side: drop files, and the sensor looking at the folder tick by tick."""

    def __init__(self, settings, instance):
        self.settings, self.instance, self.cursor = settings, instance, None
        self.sensor = build_landing_sensor(settings, build_ingest_assets(settings))

    def drop(self, feed: str, name: str, content: bytes, age_seconds: float = 60) -> Path:
        path = self.settings.landing_dir / feed / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.age(path, age_seconds)
        return path

    @staticmethod
    def age(path: Path, seconds: float) -> None:
        stamp = path.stat().st_mtime - seconds
        os.utime(path, (stamp, stamp))

    def record(self) -> dict[str, dict]:
        return read_record(self.settings, self.cursor)[1]

    def tick(self) -> SensorResult:
        result = self.sensor(build_sensor_context(instance=self.instance, cursor=self.cursor))
        self.cursor = result.cursor
        return result


@pytest.fixture
def landing(settings):
    with instance_for_test() as instance:
        yield Landing(settings, instance)


def _skip(result: SensorResult) -> str:
    return result.skip_reason.skip_message if result.skip_reason else ""


GOOD = (CORPUS / "good_payments.csv").read_bytes()


def test_a_new_file_starts_one_run_once_it_has_settled(landing):
    path = landing.drop("spend", "oxford-2024-04.csv", GOOD)
    first = landing.tick()
    assert first.run_requests == [] and "spend/oxford-2024-04.csv may still be being written" in _skip(first)
    [request] = landing.tick().run_requests
    sha = sha256_of(path)
    assert request.run_key == f"spend/oxford-2024-04.csv@{sha}"
    assert request.job_name == "ingest_job"
    assert set(request.asset_selection) == SPEND_KEYS
    assert request.tags == {FEED_TAG: "spend", FILE_TAG: "oxford-2024-04.csv", SHA256_TAG: sha}
    assert landing.tick().run_requests == [] and landing.tick().run_requests == []  # never twice


def test_a_changed_file_runs_again_but_a_touched_or_copied_one_does_not(landing):
    path = landing.drop("spend", "oxford-2024-04.csv", GOOD)
    landing.tick()
    [first] = landing.tick().run_requests
    landing.age(path, -30)  # touched: newer mtime, same bytes
    landing.tick()
    assert landing.tick().run_requests == []
    landing.drop("spend", "copy-of-oxford.csv", GOOD)  # same bytes under another name
    landing.tick()
    assert landing.tick().run_requests == []
    landing.drop("spend", "oxford-2024-04.csv", GOOD.replace(b"Stone Ltd", b"Stone Limited"))
    landing.tick()
    [second] = landing.tick().run_requests
    assert second.run_key != first.run_key and second.run_key.startswith("spend/oxford-2024-04.csv@")
    assert landing.record()["spend/oxford-2024-04.csv"]["sha256"] == sha256_of(path)


def test_empty_and_growing_files_wait(landing):
    path = landing.drop("spend", "arriving.csv", b"")
    for _ in range(3):
        result = landing.tick()
        assert result.run_requests == [] and "spend/arriving.csv is empty" in _skip(result)
    half = GOOD[: len(GOOD) // 2]
    landing.drop("spend", "arriving.csv", half)
    assert landing.tick().run_requests == []
    landing.drop("spend", "arriving.csv", GOOD)  # still growing at the next look
    assert landing.tick().run_requests == []
    [request] = landing.tick().run_requests  # unchanged across two looks: taken, complete
    assert request.tags[SHA256_TAG] == sha256_of(path)


def test_a_file_still_too_young_waits_even_if_unchanged(landing):
    landing.settings.landing.settle_seconds = 3600
    landing.drop("spend", "oxford-2024-04.csv", GOOD, age_seconds=0)
    assert landing.tick().run_requests == [] and landing.tick().run_requests == []
    landing.settings.landing.settle_seconds = 0
    assert len(landing.tick().run_requests) == 1


def test_files_already_in_the_load_audit_are_recorded_not_rerun(landing):
    from ingest import PostcodeLookup, load_files
    from partnership.warehouse import write_connection

    path = landing.drop("spend", "oxford-2024-04.csv", GOOD)
    with write_connection(landing.settings) as con:
        [report] = load_files(con, [path], key=landing.settings.pseudonymisation_key(),
                              lookup=PostcodeLookup({}, "test"))
    assert report.status == "loaded"
    landing.tick()
    result = landing.tick()
    assert result.run_requests == []
    assert landing.record()["spend/oxford-2024-04.csv"]["taken"] is True


def test_office_lock_files_and_other_patterns_are_ignored(landing):
    landing.drop("spend", "~$workbook.xlsx", b"lock")
    landing.drop("spend", "notes.pdf", b"%PDF")
    landing.tick()
    result = landing.tick()
    assert result.run_requests == [] and _skip(result) == "no new files in the landing folder"


def test_an_unreadable_file_fails_its_run_with_the_loaders_reason(landing):
    """The sensor's request, executed for real: the run fails, naming the file and the reason."""
    from orchestration.definitions import build_definitions

    landing.drop("spend", "oxford-2024-05.csv", (CORPUS / "truncated_in_quotes.csv").read_bytes())
    landing.tick()
    [request] = landing.tick().run_requests
    job = build_definitions(landing.settings).resolve_job_def(request.job_name)
    result = job.execute_in_process(instance=landing.instance, tags=request.tags, raise_on_error=False,
                                    asset_selection=request.asset_selection)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    assert failure.step_key == "ingest_spend"
    description = failure.step_failure_data.user_failure_data.description
    assert description == "oxford-2024-05.csv: the file ends inside a quoted field (truncated?)"
    assert landing.tick().run_requests == []  # taken: not retried until the file changes


def test_a_run_for_a_file_that_has_gone_fails_saying_so(settings):
    from dagster import Failure

    from orchestration.landing import landing_tags, requested_files

    assert requested_files({}, settings, "spend") is None  # not a landing run: the whole folder
    with pytest.raises(Failure, match=r"spend/gone.csv is no longer in the landing folder"):
        requested_files(landing_tags("spend", "gone.csv", "ab" * 32), settings, "spend")


def test_the_cursor_reads_as_a_summary_and_names_its_record(landing):
    for month in range(1, 8):
        landing.drop("spend", f"oxford-2024-{month:02d}.csv", GOOD.replace(b"Stone Ltd", f"Stone {month}".encode()))
    first = landing.tick()
    assert landing.cursor.startswith("0 files taken; 7 waiting: spend/oxford-2024-01.csv, ")
    assert "and 4 more" in landing.cursor and "{" not in landing.cursor
    assert _skip(first).startswith("7 files may still be being written (waiting until they stop changing): ")
    assert len(landing.tick().run_requests) == 7
    assert landing.cursor.startswith("7 files taken (spend 7); 0 waiting. Per-file record: landing_sensor/")
    unchanged = landing.cursor
    assert landing.tick().run_requests == [] and landing.cursor == unchanged  # nothing new: same record
    records = sorted((landing.settings.dagster_home / "landing_sensor").glob("*.json"))
    assert len(records) == 2 and records[-1].name in landing.cursor  # the latest two are kept


def test_a_cursor_of_the_earlier_json_form_is_still_read(landing):
    path = landing.drop("spend", "oxford-2024-04.csv", GOOD)
    landing.cursor = json.dumps({"files": {"spend/oxford-2024-04.csv": {
        "size": path.stat().st_size, "mtime": path.stat().st_mtime, "taken": True, "sha256": sha256_of(path)}}})
    assert landing.tick().run_requests == []
    assert landing.cursor.startswith("1 file taken (spend 1)")


def test_upper_case_extensions_are_taken_and_a_link_is_run_once_to_be_refused(landing):
    """x.CSV is data like x.csv; a symlink is never hashed or followed by the sensor: one run, in
    which the ingest refuses and records it (so the steward is told), then nothing more."""
    from orchestration.definitions import build_definitions

    landing.drop("spend", "OXFORD-2024-04.CSV", GOOD)
    link = landing.settings.landing_dir / "spend" / "link.csv"
    link.symlink_to(CORPUS / "good_payments.csv")
    first, second = landing.tick().run_requests, landing.tick().run_requests
    assert [r.tags[FILE_TAG] for r in first] == ["link.csv"]  # nothing to wait for: it is never read
    requests = {r.tags[FILE_TAG]: r for r in first + second}
    assert sorted(requests) == ["OXFORD-2024-04.CSV", "link.csv"]
    assert requests["link.csv"].tags[SHA256_TAG].startswith("not-a-regular-file")
    job = build_definitions(landing.settings).resolve_job_def(INGEST_JOB)
    result = job.execute_in_process(instance=landing.instance, tags=requests["link.csv"].tags, raise_on_error=False,
                                    asset_selection=requests["link.csv"].asset_selection)
    [failure] = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    assert "symbolic link" in failure.step_failure_data.user_failure_data.description
    assert landing.tick().run_requests == []
