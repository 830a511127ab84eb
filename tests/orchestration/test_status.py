"""`impact status` on a steward's data directory: feeds, freshness, landing, years, runs, and while
another process writes the warehouse."""

from __future__ import annotations

import re

import pytest
from dagster import DagsterInstance, job, op
from steward_data_dir import build

from cli.main import main
from orchestration.landing import landing_tags
from orchestration.runner import prepare_environment
from partnership.warehouse import writer_lock


@pytest.fixture
def steward(settings, monkeypatch):
    build(settings)
    monkeypatch.setenv("DAGSTER_HOME", str(settings.dagster_home))  # prepare_environment sets it
    prepare_environment(settings)

    @op
    def took_the_file():
        return None

    @job
    def ingest_job():
        took_the_file()

    with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        assert ingest_job.execute_in_process(
            instance=instance, tags=landing_tags("spend", "good_payments.csv", "ab" * 32)).success
    return settings


def _section(text: str, title: str) -> list[str]:
    lines = text.split(f"\n{title}\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return [re.split(r"\s{2,}", line.strip()) for line in lines]


def test_status_prints_feeds_freshness_landing_years_and_runs(steward, capsys):
    assert main(["status", "--data-dir", str(steward.data_dir)]) == 0
    out = capsys.readouterr().out
    assert "loads and gate results as of: working warehouse" in out
    feeds = {row[0]: row for row in _section(out, "Feeds")[1:]}
    assert set(feeds) == {"charter", "programme", "spend", "wellbeing"}
    assert feeds["spend"][1:2] == ["good_payments.csv"]
    assert feeds["spend"][3:6] == ["2/0", "1", "2/0"]  # the corpus file: 2 payments, none quarantined
    assert feeds["spend"][6] == "fresh: newest file 0 days old (allowed 38)"
    assert feeds["charter"][1] == "baseline_pledge_updates.csv"
    assert feeds["charter"][6] == "LATE: newest file 200 days old (allowed 99)"
    assert feeds["programme"][1:] == ["-", "-", "0/0", "0", "0/0",
                                      "LATE: no file loaded yet (expected one every 99 days at most)"]
    assert _section(out, "Landing folder: files not (successfully) loaded")[1:] == [
        ["spend/arrived-today.csv", "not loaded yet"],
        ["spend/copy-of-good.csv", "same content as good_payments.csv: not loaded again"],
        ["spend/truncated.csv", "REFUSED: truncated.csv: the file ends inside a quoted field (truncated?)"]]
    years = {row[0]: row for row in _section(out, "Reporting years")[1:]}
    assert years["2024-25"][1] == "closed"  # on the clock of this test run (after June 2025)
    assert years["2024-25"][2] == "FAILED (2 errors, 1 warnings) 2025-06-02 09:00"
    assert years["2024-25"][3] == "r002 (2025-06-02T10:00, gate warned)"
    assert years["2023-24"][2:] == ["passed with warnings (0 errors, 1 warnings) 2025-05-01 09:00",
                                    "r001 (2025-06-01T10:00, gate warned)"]
    [run] = _section(out, "Recent runs (Dagster)")[1:]
    assert run[1:4] == ["ingest_job", "SUCCESS", "spend/good_payments.csv"]


def test_status_reads_the_publication_while_a_run_writes(steward, capsys):
    with writer_lock(steward, timeout=5):  # as a pipeline step holds it
        assert main(["status", "--data-dir", str(steward.data_dir)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"as of: publication of \d{4}-\d\d-\d\d \d\d:\d\d \(a run is writing the warehouse now\)", out)
    feeds = {row[0]: row for row in _section(out, "Feeds")[1:]}
    assert feeds["spend"][1] == "good_payments.csv" and feeds["charter"][6].startswith("LATE")
    years = {row[0]: row for row in _section(out, "Reporting years")[1:]}
    assert years["2024-25"][2].startswith("FAILED")  # gate.results is copied whole at publication
    assert "Quarantine" not in out  # never published: only shown from the working warehouse


def test_status_marks_the_open_year_provisional(steward, capsys, monkeypatch):
    monkeypatch.setenv("IMPACT_TODAY", "2025-05-20")  # 2024-25 ended in March; its returns are still due
    assert main(["status", "--data-dir", str(steward.data_dir)]) == 0
    years = {row[0]: row for row in _section(capsys.readouterr().out, "Reporting years")[1:]}
    assert years["2024-25"][1] == "open, provisional until 2025-06-01"
    assert years["2023-24"][1] == "closed"


def test_status_shows_a_run_whose_process_died(steward, capsys):
    from dagster import DagsterRunStatus

    with DagsterInstance.from_config(str(steward.dagster_home)) as instance:
        [run] = instance.get_runs(limit=1)
        instance.add_run_tags(run.run_id, {"impact/pid": "999999", "impact/pid_started": "1",
                                           "impact/host": __import__("socket").gethostname()})
        instance.handle_run_event(run.run_id, _started_event(run))
        assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.STARTED
    assert main(["status", "--data-dir", str(steward.data_dir)]) == 0
    [row] = _section(capsys.readouterr().out, "Recent runs (Dagster)")[1:]
    assert row[2] == "DIED (process gone; the next run marks it failed)"


def _started_event(run):
    from dagster._core.events import DagsterEvent, DagsterEventType

    return DagsterEvent(DagsterEventType.RUN_START.value, job_name=run.job_name)


def test_status_of_an_empty_data_directory(settings, capsys):
    assert main(["status", "--data-dir", str(settings.data_dir)]) == 0
    assert "nothing loaded or published yet" in capsys.readouterr().out


def test_status_names_payments_whose_anchor_was_renamed_without_an_alias(steward, capsys, tmp_path):
    """good_payments.csv is stored under "Oxford City Council". Renamed in the configuration with the
    former name kept as an alias, the payments follow (staging); renamed without it, status says so."""
    from partnership.config import DEFAULT_CONFIG_FILE

    shipped = DEFAULT_CONFIG_FILE.read_text(encoding="utf-8")
    assert 'name = "Oxford City Council"\naliases = ["Oxford City"]' in shipped
    for aliases, warned in (('["Oxford City", "oxford city council "]', False), ('["Oxford City"]', True)):
        config = tmp_path / "renamed.toml"
        config.write_text(shipped.replace('name = "Oxford City Council"\naliases = ["Oxford City"]',
                                          f'name = "Oxford City Council (OCC)"\naliases = {aliases}'), encoding="utf-8")
        assert main(["status", "--data-dir", str(steward.data_dir), "--config", str(config)]) == 0
        out = capsys.readouterr().out
        line = 'WARNING: payments are stored under "Oxford City Council" (2 payment lines), now neither'
        assert (line in out) is warned, out[:2000]
    assert main(["status", "--data-dir", str(steward.data_dir)]) == 0
    assert "payments are stored under" not in capsys.readouterr().out


def test_status_lists_years_with_figures_that_were_never_gated(steward, capsys):
    """Years a run never gated (a trend year before [reporting] first_year, a closed year never
    published) are in the snapshot as loaded: status lists them and says so, not only gated years."""
    import duckdb

    with duckdb.connect(str(steward.warehouse_path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.metrics (metric_id VARCHAR, reporting_year VARCHAR, value DOUBLE)")
        con.execute("INSERT INTO marts.metrics VALUES ('PP01', '2021-22', 1.0), ('PP01', '2022-23', 2.0), "
                    "('PP01', '2023-24', 3.0), ('PP02', '2020-21', NULL)")
    assert main(["status", "--data-dir", str(steward.data_dir)]) == 0
    years = {row[0]: row for row in _section(capsys.readouterr().out, "Reporting years")[1:]}
    assert years["2022-23"][1:] == ["closed", "never gated: its figures are carried as loaded (`impact publish "
                                    "--year 2022-23` would gate it and write its pack)", "-"]
    assert years["2021-22"][2] == "not gated: a trend year before [reporting] first_year 2022-23, carried as loaded"
    assert years["2023-24"][2].startswith("passed with warnings")  # a gated year keeps its verdict
    assert "2020-21" not in years  # no figure at all: nothing to list
