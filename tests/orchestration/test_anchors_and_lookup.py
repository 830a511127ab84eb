"""What a steward sees of the partnership's declarations: `impact ingest` refusing a council's spend
file that the configuration does not declare, and loading it once declared as an out-of-area anchor;
`impact run`, `impact ingest` and `impact status` warning when a real data directory resolves
postcodes with the synthetic demo lookup."""

from __future__ import annotations

from pathlib import Path

from cli.main import main
from cli.status import status_report
from partnership.config import DEFAULT_CONFIG_FILE, DEMO_MARKER, load_settings
from publication.reference_data import postcode_lookup, synthetic_lookup_warning

CRAVEN = "spend/craven/craven-dc-payments-2017-03.csv"
LAMBETH = "spend/lambeth/lambeth-2012-06-payments.csv"


def _with_anchor(tmp_path: Path, block: str) -> Path:
    config = tmp_path / "impact.toml"
    config.write_text(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8") + "\n" + block, encoding="utf-8")
    return config


def test_oxfordshire_refuses_craven_and_lambeth_until_declared_outside_the_area(settings, real_data, tmp_path, capsys):
    data = str(settings.data_dir)
    assert main(["ingest", str(real_data / CRAVEN), str(real_data / LAMBETH), "--data-dir", data]) == 1
    out = capsys.readouterr()
    assert 'craven-dc-payments-2017-03.csv: refused (?) loaded 0' in out.out
    assert ('published by "Craven District Council" (171 rows), not a declared anchor institution of '
            "Oxfordshire Inclusive Economy Partnership") in out.out
    assert f'declare it in {DEFAULT_CONFIG_FILE}: [[anchors]] name = "Craven District Council"' in out.out
    assert 'published by "Lambeth" (3,155 rows)' in out.out
    assert "SYNTHETIC demo postcode lookup" in out.err  # a real data directory (not made by `impact demo`)

    config = _with_anchor(tmp_path, '[[anchors]]\nname = "Craven District Council"\nin_area = false\n\n'
                                    '[[anchors]]\nname = "London Borough of Lambeth"\naliases = ["Lambeth"]\n'
                                    'in_area = false\n')
    assert main(["ingest", str(real_data / CRAVEN), str(real_data / LAMBETH), "--data-dir", data,
                 "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "craven-dc-payments-2017-03.csv: loaded (spend) loaded 171" in out
    assert "lambeth-2012-06-payments.csv: loaded (spend) loaded 3155" in out
    report = status_report(load_settings(data_dir=data, config_file=config))
    assert "9 anchors declared" in report and "SYNTHETIC demo postcode lookup" in report
    assert "REFUSED" not in report  # the refused files loaded on the second try


def test_the_synthetic_lookup_is_the_areas_and_warned_about_only_outside_demo_directories(settings, tmp_path):
    lookup = postcode_lookup(settings)
    assert settings.postcode_lookup_path.exists() and len(lookup.places) == 407 * 5
    assert {lsoa[:3] for lsoa, _ in lookup.places.values()} == {"E01"}
    assert synthetic_lookup_warning(settings).startswith(f"WARNING: {settings.data_dir} is not a demo")
    (settings.data_dir / DEMO_MARKER).write_text("demo")
    assert synthetic_lookup_warning(settings) is None

    nspl = tmp_path / "nspl.csv"
    nspl.write_text("pcds,lsoa11,lsoa21,laua\nOX1 1AA,E01028522,E01035000,E07000178\n", encoding="utf-8")
    config = _with_anchor(tmp_path, "")
    config.write_text(config.read_text(encoding="utf-8").replace('postcode_lookup = ""',
                                                                 f'postcode_lookup = "{nspl}"'), encoding="utf-8")
    real = load_settings(data_dir=tmp_path / "real", config_file=config)
    assert synthetic_lookup_warning(real) is None
    assert postcode_lookup(real).places == {"OX1 1AA": ("E01028522", "E07000178")}  # lsoa11: IMD 2019's geography
    assert "SYNTHETIC" not in status_report(real)
