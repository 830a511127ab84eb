import pytest

from orchestration.config import DEMO_MARKER, DEMO_PSEUDONYMISATION_KEY, ConfigError, load_settings


def test_defaults_run_the_demo(tmp_path, monkeypatch):
    monkeypatch.delenv("IMPACT_DATA_DIR", raising=False)
    settings = load_settings(data_dir=tmp_path)
    assert settings.reporting.year_start_month == 4
    assert settings.disclosure.suppression_threshold == 10
    assert settings.partnership.county_name == "Oxfordshire"
    assert settings.warehouse_path == tmp_path / "warehouse" / "impact.duckdb"
    assert settings.postcode_lookup_path.name == "postcode_lsoa_demo.csv"


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


def test_today_is_the_clock_unless_impact_today_says_otherwise(monkeypatch):
    import datetime as dt

    from orchestration.config import today

    monkeypatch.delenv("IMPACT_TODAY", raising=False)
    assert today() == dt.date.today()
    monkeypatch.setenv("IMPACT_TODAY", "2025-06-15")
    assert today() == dt.date(2025, 6, 15)
    monkeypatch.setenv("IMPACT_TODAY", "15/06/2025")
    with pytest.raises(ConfigError, match="IMPACT_TODAY"):
        today()
