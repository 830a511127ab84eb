from pathlib import Path

import pytest

from partnership.config import DEMO_MARKER, DEMO_PSEUDONYMISATION_KEY, ConfigError, load_settings


def test_defaults_run_the_demo(tmp_path, monkeypatch):
    monkeypatch.delenv("IMPACT_DATA_DIR", raising=False)
    settings = load_settings(data_dir=tmp_path)
    assert settings.reporting.year_start_month == 4
    assert settings.disclosure.suppression_threshold == 10
    assert settings.area.name == "Oxfordshire" and len(settings.area.local_authorities) == 5
    assert settings.warehouse_path == tmp_path / "warehouse" / "impact.duckdb"
    assert settings.postcode_lookup_path == tmp_path / "reference" / "postcode_lookup_synthetic.csv"
    assert "Oxford City Council" in {a.name for a in settings.anchors}


def test_data_dir_from_environment_and_flag_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("IMPACT_DATA_DIR", str(tmp_path / "env"))
    assert load_settings().data_dir == tmp_path / "env"
    assert load_settings(data_dir=tmp_path / "flag").data_dir == tmp_path / "flag"


def test_invalid_values_are_refused_with_the_key_named(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[reporting]\nyear_start_month = 13\n")
    with pytest.raises(ConfigError, match="year_start_month"):
        load_settings(config_file=bad)
    typo = tmp_path / "typo.toml"
    typo.write_text("[disclosure]\nsuppresion_threshold = 5\n")
    with pytest.raises(ConfigError, match="suppresion_threshold"):
        load_settings(config_file=typo)


def test_demo_key_only_in_demo_mode(tmp_path, monkeypatch):
    monkeypatch.delenv("IMPACT_PSEUDONYMISATION_KEY", raising=False)
    settings = load_settings(data_dir=tmp_path)
    with pytest.raises(ConfigError, match="IMPACT_PSEUDONYMISATION_KEY"):
        settings.pseudonymisation_key()
    monkeypatch.setenv("IMPACT_PSEUDONYMISATION_KEY", DEMO_PSEUDONYMISATION_KEY)
    with pytest.raises(ConfigError, match="public demo key"):
        settings.pseudonymisation_key()
    (tmp_path / DEMO_MARKER).write_text("demo")
    assert settings.pseudonymisation_key() == DEMO_PSEUDONYMISATION_KEY
    monkeypatch.setenv("IMPACT_PSEUDONYMISATION_KEY", "a-real-secret-of-enough-length")
    assert settings.pseudonymisation_key() == "a-real-secret-of-enough-length"


GREATER_MANCHESTER = Path(__file__).resolve().parents[2] / "examples" / "greater-manchester" / "impact.toml"


def _config(tmp_path, text: str) -> Path:
    path = tmp_path / "impact.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_second_partnership_reaches_every_dbt_var_through_one_function(tmp_path):
    """The Greater Manchester example: area, authorities, anchors and assumptions become dbt vars."""
    from orchestration.dbt import dbt_vars

    settings = load_settings(data_dir=tmp_path, config_file=GREATER_MANCHESTER)
    variables = dbt_vars(settings)
    assert (variables["county_code"], variables["county_name"]) == ("E47000001", "Greater Manchester")
    assert variables["area_local_authorities"] == [f"E080000{n:02d}" for n in range(1, 11)]
    assert {"name": "Trafford Council", "in_area": True,
            "aliases": ["Trafford Metropolitan Borough Council", "Trafford MBC"]} in variables["anchors"]
    assert variables["imd_edition"] == "2019" and variables["wellby_duration_years"] == 1
    assert settings.config_file == GREATER_MANCHESTER
    # every var dbt_project.yml documents is one the function sets, apart from the two that are not
    # partnership settings (a per-run year, and the 26-week definition)
    import yaml

    documented = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml")
                                .read_text())["vars"]
    assert set(documented) - set(variables) == {"reporting_year", "sustainment_26w_days"}
    assert set(variables) <= set(documented)


@pytest.mark.parametrize("text, named", [
    ('[area]\ncode = "E10000025"\nname = "X"\nlocal_authorities = ["E07000999"]\n', "E07000999"),
    ('[area]\ncode = "E10000025"\nname = "X"\nlocal_authorities = ["Oxford"]\n', "Oxford"),
    ('[area]\nname = "Somewhere else"\n', "code, name and local_authorities together"),
    ('[[anchors]]\nname = "A Council"\naliases = ["ACC"]\n[[anchors]]\nname = "B"\naliases = ["acc"]\n',
     "names two anchors"),
    ('[metrics]\nwellby_duration_years = 3\n', "wellby_duration_years"),
    ('[metrics]\nrlw_rate_in_force_from = "payday"\n', "rlw_rate_in_force_from"),
    ('[reference]\nimd_edition = "2025"\n', "imd_edition"),
])
def test_partnership_settings_are_validated(tmp_path, text, named):
    with pytest.raises(ConfigError, match=named):
        load_settings(config_file=_config(tmp_path, text))


def test_a_local_authority_of_another_vintage_is_refused_with_advice(tmp_path):
    # North Yorkshire's unitary code of 2023 is not a 2019 district: its former districts are.
    text = '[area]\ncode = "E06000065"\nname = "North Yorkshire"\nlocal_authorities = ["E06000065"]\n'
    with pytest.raises(ConfigError, match="E06000065: not a local authority of IMD 2019.*former districts"):
        load_settings(config_file=_config(tmp_path, text))


def test_feeds_collected_are_validated(tmp_path):
    config = tmp_path / "impact.toml"
    config.write_text('[feeds]\ncollected = ["spend", "payroll"]\n')
    with pytest.raises(ConfigError, match="unknown feed.*payroll"):
        load_settings(config_file=config)
    config.write_text('[feeds]\ncollected = []\n')
    with pytest.raises(ConfigError, match="at least one feed"):
        load_settings(config_file=config)
    config.write_text('[feeds]\ncollected = ["wellbeing", "spend"]\nsupplier_register = false\n')
    settings = load_settings(config_file=config)
    assert settings.feeds.collected == ["spend", "wellbeing"] and not settings.feeds.supplier_register
    assert settings.collects("spend") and not settings.collects("charter")
    defaults = load_settings()
    assert defaults.feeds.collected == ["charter", "programme", "spend", "wellbeing"]
    assert defaults.feeds.supplier_register and defaults.reporting.grace_days == 61


@pytest.mark.parametrize(("text", "named"), [
    ('[feeds]\ncollected = ["spend"]\nfirst_year = { wellbeing = "2024-25" }', "first_year: wellbeing not in"),
    ('[feeds]\nlast_year = { charter = "2024" }', "last_year of charter: '2024' is not a reporting year label"),
    ('[feeds]\nfirst_year = { spend = "2024-26" }', "first_year of spend"),
    ('[feeds]\nfirst_year = { charter = "2024-25" }\nlast_year = { charter = "2023-24" }',
     "charter: first_year 2024-25 is after"),
    ('[[anchors]]\nname = "Leavers"\nlast_year = "2024"', "'Leavers' last_year: '2024' is not a reporting year label"),
    ('[[anchors]]\nname = "Leavers"\nfirst_year = "2024-25"\nlast_year = "2023-24"',
     "'Leavers': first_year 2024-25 is after"),
])
def test_the_years_of_a_feed_or_an_anchor_are_validated(tmp_path, text, named):
    config = tmp_path / "impact.toml"
    config.write_text(f"{text}\n")
    with pytest.raises(ConfigError, match=named):
        load_settings(config_file=config)


def test_a_feed_collected_from_a_later_year_or_no_longer_is_collected_in_its_years_only(tmp_path, monkeypatch):
    config = tmp_path / "impact.toml"
    config.write_text('[feeds]\ncollected = ["charter", "spend", "wellbeing"]\n'
                      'first_year = { wellbeing = "2024-25" }\nlast_year = { charter = "2023-24" }\n'
                      '[[anchors]]\nname = "Leavers"\nlast_year = "2023-24"\n')
    settings = load_settings(config_file=config)
    [anchor] = settings.anchors
    assert anchor.expected_in("2023-24") and not anchor.expected_in("2024-25")
    assert settings.feeds.collected_in("2022-23") == ["charter", "spend"]
    assert settings.feeds.collected_in("2023-24") == ["charter", "spend"]
    assert settings.feeds.collected_in("2024-25") == ["spend", "wellbeing"]
    assert [settings.feeds.describe(f) for f in settings.feeds.collected] == [
        "charter (until 2023-24)", "spend", "wellbeing (from 2024-25)"]
    assert settings.collects("charter")  # files of the years it was collected still load
    monkeypatch.setenv("IMPACT_TODAY", "2024-03-31")
    assert settings.collects_now("charter") and not settings.collects_now("wellbeing")
    monkeypatch.setenv("IMPACT_TODAY", "2024-04-01")
    assert not settings.collects_now("charter") and settings.collects_now("wellbeing")


def test_today_is_the_clock_unless_impact_today_says_otherwise(monkeypatch):
    import datetime as dt

    from partnership.config import today

    monkeypatch.delenv("IMPACT_TODAY", raising=False)
    assert today() == dt.date.today()
    monkeypatch.setenv("IMPACT_TODAY", "2025-06-15")
    assert today() == dt.date(2025, 6, 15)
    monkeypatch.setenv("IMPACT_TODAY", "15/06/2025")
    with pytest.raises(ConfigError, match="IMPACT_TODAY"):
        today()
