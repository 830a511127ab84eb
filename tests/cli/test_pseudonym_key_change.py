"""A steward's shell with another pseudonymisation key (rotated, mistyped, a new machine): `impact run`,
`impact ingest` and a landing run refuse in one line, nothing is stored, `impact status` says so
before a load finds out, and the original key loads as before."""

from __future__ import annotations

import duckdb
from dagster import AssetKey, DagsterEventType, instance_for_test

from ingest.loader import sha256_of
from orchestration.landing import landing_tags
from tests.impact_cli import impact

KEY = "the-original-key-0123456789"
ROTATED = "a-rotated-key-0123456789ab"
REFUSAL = "the pseudonymisation key set now is not the one this warehouse's pseudonyms were made with"
HEADER = "Participant ID,Postcode,Provider,Enrolment Date,Age Group,Gender\n"


def _drop(data_dir, name: str, participant: str):
    path = data_dir / "landing" / "programme" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{participant},OX4 6AB,Aspire,03/05/2024,25-34,Female\n", encoding="utf-8")
    return path


def _participants(data_dir) -> int:
    with duckdb.connect(str(data_dir / "warehouse" / "impact.duckdb"), read_only=True) as con:
        return con.execute("SELECT count(*) FROM raw.programme__participants").fetchone()[0]


def test_every_way_in_refuses_another_key_and_status_says_so(tmp_path):
    data = tmp_path / "data"
    first = _drop(data, "aspire-q1.csv", "P-1")
    loaded = impact("ingest", str(first), "--data-dir", str(data), key=KEY)
    assert loaded.returncode == 0 and ": loaded (programme) loaded 1" in loaded.stdout, loaded.stderr
    second = _drop(data, "aspire-q2.csv", "P-2")

    for command in (["run"], ["ingest", str(second)]):
        refused = impact(*command, "--data-dir", str(data), key=ROTATED)
        assert refused.returncode == 2, (command, refused.stdout, refused.stderr)
        [line] = [x for x in refused.stderr.splitlines() if REFUSAL in x]
        assert line.startswith("impact: ") and "Traceback" not in refused.stderr
        assert _participants(data) == 1

    status = impact("status", "--data-dir", str(data), key=ROTATED)
    assert "pseudonymisation key: DIFFERS from the one the warehouse was built with" in status.stdout
    assert "loads of programme and wellbeing files are refused until it is set back" in status.stdout
    status = impact("status", "--data-dir", str(data), key=KEY)
    assert "pseudonymisation key: the warehouse's own (first used " in status.stdout

    again = impact("ingest", str(second), "--data-dir", str(data), key=KEY)
    assert again.returncode == 0 and _participants(data) == 2, again.stderr


def test_a_landing_run_under_another_key_fails_naming_the_feed(tmp_path, monkeypatch):
    """The sensor's run (or one launched from the UI) fails its ingest step with the same reason."""
    from orchestration.definitions import build_definitions
    from partnership.config import load_settings

    data = tmp_path / "data"
    first = _drop(data, "aspire-q1.csv", "P-1")
    assert impact("ingest", str(first), "--data-dir", str(data), key=KEY).returncode == 0
    second = _drop(data, "aspire-q2.csv", "P-2")
    monkeypatch.setenv("IMPACT_PSEUDONYMISATION_KEY", ROTATED)
    monkeypatch.delenv("IMPACT_DATA_DIR", raising=False)
    settings = load_settings(data_dir=data)
    job = build_definitions(settings).resolve_job_def("ingest_job")
    keys = [AssetKey(["raw", t]) for t in ("programme__participants", "programme__outcomes", "programme__costs")]
    with instance_for_test() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False, asset_selection=keys,
                                        tags=landing_tags("programme", second.name, sha256_of(second)))
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    assert failure.step_failure_data.user_failure_data.description.startswith(f"programme: {REFUSAL}")
    assert _participants(data) == 1
