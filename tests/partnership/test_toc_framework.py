"""A partnership's own Theory of Change framework ([toc] framework): read and checked when the
configuration is, each fault named by file, row and column; the shipped one is Oxfordshire's, and
another area on it is warned."""

from __future__ import annotations

import csv
import io

import pytest

from partnership.config import ConfigError, load_settings
from partnership.toc_framework import COLUMNS, SHIPPED, read_framework
from publication.reference_data import reference_datasets, toc_framework_warning

GOOD = {"indicator_id": "T1", "working_group": "inclusive_employment", "toc_level": "outcome",
        "indicator_name": "Job starts per 100 participants", "metric_id": "FE04", "baseline_year": "2023-24",
        "baseline_value": "20", "target_year": "2027-28", "target_value": "30", "direction": "up",
        "source": "The partnership's plan, 2023", "values_note": ""}


def _write(tmp_path, rows, columns=COLUMNS, name="framework.csv"):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[r.get(c, "") for c in columns] if isinstance(r, dict) else r for r in rows])
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _config(tmp_path, framework, extra=""):
    path = tmp_path / "impact.toml"
    path.write_text(f'{extra}[paths]\ndata_dir = "{tmp_path / "data"}"\n[toc]\nframework = "{framework}"\n')
    return path


def test_the_shipped_framework_reads_cleanly_and_a_good_file_is_taken_as_written(tmp_path):
    shipped = read_framework(SHIPPED, 4)
    assert len(shipped) == 23 and shipped[0]["indicator_id"] == "TOC01"
    second = {**GOOD, "indicator_id": "T2", "metric_id": "PP02", "baseline_value": "1,250.5", "target_value": "",
              "direction": "down", "values_note": "agreed March 2024"}
    path = _write(tmp_path, [GOOD, second])
    settings = load_settings(config_file=_config(tmp_path, path))
    first, other = settings.toc_indicators
    assert first["baseline_value"] == 20.0 and first["values_note"] is None and first["source"] == GOOD["source"]
    assert other["baseline_value"] == 1250.5 and other["target_value"] is None and other["direction"] == "down"
    from orchestration.dbt_vars import dbt_vars

    assert dbt_vars(settings)["toc_framework"] == [first, other]
    assert dbt_vars(load_settings(data_dir=tmp_path))["toc_framework"] == []  # shipped: the seed
    [row] = [r for r in reference_datasets(settings) if r["dataset"] == "toc_framework"]
    assert row["file"] == "framework.csv" and row["rows"] == 2 and row["edition"] == "[toc] framework"


def test_a_relative_path_is_from_the_project_root_and_a_calendar_year_partnership_labels_by_year(tmp_path):
    from partnership.config import PROJECT_ROOT

    settings = load_settings(config_file=_config(tmp_path, "examples/greater-manchester/toc_framework.csv"))
    assert settings.toc_framework_path == PROJECT_ROOT / "examples/greater-manchester/toc_framework.csv"
    assert len(settings.toc_indicators) == 15
    calendar = _write(tmp_path, [{**GOOD, "baseline_year": "2023", "target_year": "2027"}])
    settings = load_settings(config_file=_config(tmp_path, calendar, "[reporting]\nyear_start_month = 1\n"
                                                                      'first_year = "2022"\n'))
    assert settings.toc_indicators[0]["baseline_year"] == "2023"
    with pytest.raises(ConfigError, match=r"row 2, column baseline_year: .*2023-24"):
        load_settings(config_file=_config(tmp_path, _write(tmp_path, [GOOD]), "[reporting]\nyear_start_month = 1\n"
                                                                               'first_year = "2022"\n'))


OTHER = {**GOOD, "indicator_id": "T2"}


@pytest.mark.parametrize("row, named", [
    ({**OTHER, "working_group": "skills"}, r"row 3, column working_group: 'skills' is not one of"),
    ({**OTHER, "toc_level": "outcomes"}, r"row 3, column toc_level: 'outcomes'"),
    ({**OTHER, "direction": "higher"}, r"row 3, column direction: 'higher'"),
    ({**OTHER, "metric_id": "FE99"}, r"row 3, column metric_id: 'FE99' is not a metric of the catalogue"),
    ({**OTHER, "indicator_id": "T1"}, r"row 3, column indicator_id: 'T1' is also the id of row 2"),
    ({**OTHER, "target_year": "2021-22"}, r"row 3, column target_year: 2021-22 is before the baseline year 2023-24"),
    ({**OTHER, "baseline_year": "2023/24"}, r"row 3, column baseline_year"),
    ({**OTHER, "target_value": "thirty"}, r"row 3, column target_value: 'thirty' is not a number"),
    ({**OTHER, "baseline_value": "nan"}, r"row 3, column baseline_value: 'nan' is not a finite number"),
    ({**OTHER, "source": " "}, r"row 3, column source: empty"),
    ({**OTHER, "indicator_name": ""}, r"row 3, column indicator_name: empty"),
    ([*OTHER.values(), "extra"], r"row 3, column values_note: 13 values for 12 columns"),
])
def test_each_fault_is_refused_with_its_file_row_and_column(tmp_path, row, named):
    path = _write(tmp_path, [GOOD, row])
    with pytest.raises(ConfigError, match=named) as refused:
        load_settings(config_file=_config(tmp_path, path))
    assert str(path) in str(refused.value) and "input_value" not in str(refused.value)


@pytest.mark.parametrize("columns, rows, named", [
    ([c for c in COLUMNS if c != "direction"], [], r"missing column direction \(the columns are those of"),
    ([*COLUMNS, "owner"], [], "unknown column owner"),
    (COLUMNS, [], "no indicators"),
])
def test_a_file_of_the_wrong_shape_is_refused(tmp_path, columns, rows, named):
    with pytest.raises(ConfigError, match=named):
        load_settings(config_file=_config(tmp_path, _write(tmp_path, rows, columns)))


def test_a_missing_file_and_a_spreadsheets_byte_order_mark(tmp_path):
    with pytest.raises(ConfigError, match=r"\[toc\] framework .*nowhere.csv: no such file"):
        load_settings(config_file=_config(tmp_path, tmp_path / "nowhere.csv"))
    path = _write(tmp_path, [GOOD])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # Excel's "CSV UTF-8"
    assert load_settings(config_file=_config(tmp_path, path)).toc_indicators[0]["indicator_id"] == "T1"


def test_another_area_on_the_shipped_framework_is_warned(tmp_path):
    oxfordshire = load_settings(data_dir=tmp_path)
    assert toc_framework_warning(oxfordshire) is None
    path = tmp_path / "gm.toml"
    path.write_text('[area]\ncode = "E47000001"\nname = "Greater Manchester"\nlocal_authorities = ["E08000009"]\n'
                    f'[paths]\ndata_dir = "{tmp_path / "gm"}"\n')
    warning = toc_framework_warning(load_settings(config_file=path))
    assert warning.startswith("WARNING: the Theory of Change in use is the one shipped")
    assert "Greater Manchester" in warning
    own = _write(tmp_path, [GOOD])
    path.write_text(path.read_text() + f'[toc]\nframework = "{own}"\n')
    assert toc_framework_warning(load_settings(config_file=path)) is None


def test_status_says_which_framework_is_in_use(tmp_path, capsys):
    from cli.main import main

    path = tmp_path / "gm.toml"
    path.write_text('[area]\ncode = "E47000001"\nname = "Greater Manchester"\nlocal_authorities = ["E08000009"]\n'
                    f'[paths]\ndata_dir = "{tmp_path / "gm"}"\n')
    assert main(["status", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "theory of change: the shipped framework (Oxfordshire's" in out
    assert "WARNING: the Theory of Change in use is the one shipped" in out
    path.write_text(path.read_text() + f'[toc]\nframework = "{_write(tmp_path, [GOOD])}"\n')
    assert main(["status", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "theory of change: the partnership's own, 1 indicator (" in out and "WARNING: the Theory" not in out
