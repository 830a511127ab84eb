"""The demo generator: determinism, magnitudes, contract headers, planted defects, postcodes."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
import yaml

import ingest
from demo import PLANTED_DEFECTS, DemoSummary, build_files, demo_area, generate_demo_data
from demo.defects import planted_defects
from demo.places import (
    OUT_OF_COUNTY_OUTWARD,
    build_postcodes,
    load_lsoas,
    lookup_csv_text,
    write_postcode_lookup,
)
from demo.tables import LandingFile

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "ingest" / "contracts"
SMALL = 0.05


def norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", str(text).lower()).strip()


def contract_spellings() -> dict[tuple[str, str], dict[str, str]]:
    """(feed, entity) -> normalised spelling -> canonical (or drop_pii) column name."""
    out = {}
    for path in CONTRACTS.glob("*.yaml"):
        doc = yaml.safe_load(path.read_text())
        if "entities" not in doc:  # publishers.yaml: layouts, not a feed contract
            continue
        for entity, spec in doc["entities"].items():
            index: dict[str, str] = {}
            for col in spec["columns"] + spec.get("drop_pii", []):
                for spelling in [col["name"], *col.get("aliases", [])]:
                    index.setdefault(norm(spelling), col["name"])
            out[(doc["feed"], entity)] = index
    return out


def required_columns(feed: str, entity: str) -> set[str]:
    doc = yaml.safe_load((CONTRACTS / f"{feed}.yaml").read_text())
    return {c["name"] for c in doc["entities"][entity]["columns"] if c.get("required")}


def read_back(path: Path, f: LandingFile) -> dict[str, list[list[str]]]:
    """Sheet name -> physical rows (row 0 = line/row 1) as strings, read from the written file."""
    if f.kind == "xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        out = {}
        for ws in wb.worksheets:
            out[ws.title] = [["" if v is None else str(v) for v in row]
                             for row in ws.iter_rows(values_only=True)]
        return out
    text = path.read_bytes().decode(f.encoding)
    return {f.sheets[0].name: list(csv.reader(io.StringIO(text, newline="")))}


@pytest.fixture(scope="module")
def lookup_path(tmp_path_factory) -> Path:
    """Oxfordshire's synthetic lookup, as `impact demo` writes it into the data directory."""
    return write_postcode_lookup(tmp_path_factory.mktemp("reference") / "postcode_lookup_synthetic.csv")


def sha_all(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> tuple[DemoSummary, float]:
    landing = tmp_path_factory.mktemp("full") / "landing"
    started = time.perf_counter()
    summary = generate_demo_data(landing)
    return summary, time.perf_counter() - started


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> DemoSummary:
    return generate_demo_data(tmp_path_factory.mktemp("small") / "landing", scale=SMALL)


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = generate_demo_data(tmp_path / "a", seed=7, scale=SMALL)
    b = generate_demo_data(tmp_path / "b", seed=7, scale=SMALL)
    assert a.files == b.files and a.entities == b.entities
    assert sha_all(tmp_path / "a") == sha_all(tmp_path / "b")
    other = generate_demo_data(tmp_path / "c", seed=8, scale=SMALL)
    assert sha_all(tmp_path / "c") != sha_all(tmp_path / "a")
    assert set(other.files) == set(a.files)  # file names do not depend on the seed


def test_layout_and_summary(small):
    feeds = {f.split("/")[0] for f in small.files}
    assert feeds == {"charter", "programme", "spend", "wellbeing"}
    assert sum(f.startswith("programme/") for f in small.files) == 4 * 12
    assert sum(f.startswith("spend/") for f in small.files) == 3 * 36 + 2
    for f in small.files:
        assert (small.landing_dir / f).is_file()
    for e in small.entities:
        assert e.rows_loaded + e.rows_quarantined == e.rows_read
    assert small.count("spend", "payments").rows_skipped_footer == 36
    assert sum(e.rows_quarantined for e in small.entities) == 9
    assert small.count("wellbeing", "responses").values_nulled == 2
    assert small.quarantine_records == len(PLANTED_DEFECTS)


def test_generation_is_fast_at_full_scale(full):
    _, seconds = full
    print(f"scale=1.0 generation: {seconds:.1f}s")
    assert seconds < 60


def test_magnitudes_at_full_scale(full):
    summary, _ = full
    land = summary.landing_dir
    assert 80 <= summary.count("charter", "signatories").rows_read <= 120
    assert 1_800 <= summary.count("programme", "participants").rows_read <= 2_300
    assert summary.count("spend", "suppliers").rows_read == 1_500
    assert summary.count("spend", "contracts").rows_read == 150

    pledges = pl.read_csv(land / "charter" / "charter-pledge-updates-2025-04-07.csv",
                          infer_schema=False)
    assert 500 <= pledges["Pledge ID"].n_unique() <= 700
    assert pledges.height > 2 * pledges["Pledge ID"].n_unique()

    # One reporting year of spend: 2023-24, 36 monthly files of three anchors.
    months = [f"2023-{m:02d}" for m in range(4, 13)] + [f"2024-{m:02d}" for m in range(1, 4)]
    names = {"apr": "04", "may": "05", "jun": "06", "jul": "07", "aug": "08", "sep": "09",
             "oct": "10", "nov": "11", "dec": "12", "jan": "01", "feb": "02", "mar": "03"}
    year_files = []
    for p in (land / "spend").glob("*.csv"):
        m = re.search(r"(\d{4}-\d{2})\.csv$", p.name) or re.search(r"-(\w{3})-(\d{4})\.csv$", p.name)
        if m and (m.group(1) if m.lastindex == 1 else f"{m.group(2)}-{names[m.group(1)]}") in months:
            year_files.append(p)
    assert len(year_files) == 36
    lines = sum(len(p.read_bytes().splitlines()) - 1 for p in year_files) - 12 * 3  # OUH extras
    assert 25_000 <= lines <= 36_000

    panel = pl.read_csv(land / "wellbeing" / "resident-panel-2023-24-annual.csv",
                        infer_schema=False)
    assert 2_300 <= panel.height <= 2_700
    ls = panel["ONS4 Life Satisfaction"].cast(pl.Int64, strict=False)
    assert 7.1 <= ls.mean() <= 7.7

    survey = pl.concat([pl.read_csv(p, infer_schema=False)
                        for p in (land / "wellbeing").glob("programme-*.csv")])
    survey = survey.with_columns(pl.col("ons_ls").cast(pl.Int64, strict=False))
    base = survey.filter(pl.col("Timepoint") == "baseline")
    follow = survey.filter(pl.col("Timepoint") == "follow_up")
    pairs = base.join(follow, on="Participant ID", suffix="_f")
    assert pairs.height == follow.height > 300
    assert 0.3 <= (pairs["ons_ls_f"] - pairs["ons_ls"]).mean() <= 0.9


def test_programme_shapes(full, lookup_path):
    summary, _ = full
    refs, job_starters, below_rlw, pays = set(), set(), 0, 0
    lookup = pl.read_csv(lookup_path)
    deciles = dict(pl.read_csv(ROOT / "dbt_project/seeds/reference/lsoa_imd2019.csv")
                   .select("lsoa_code", "imd_decile").iter_rows())
    lsoa_of = dict(lookup.select("pcds", "lsoa11").iter_rows())
    deprived = 0
    rlw = {"2022": 10.90, "2023": 12.00, "2024": 12.60}
    for path in sorted((summary.landing_dir / "programme").glob("*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True)
        assert wb.sheetnames[:3] == ["Participants", "Outcomes", "Costs"]
        participants = list(wb["Participants"].iter_rows(values_only=True))
        assert {"Name", "Date of Birth", "NI Number", "Email", "Phone"} <= set(participants[0])
        pc_col = [i for i, h in enumerate(participants[0]) if "ostcode" in h][0]
        for row in participants[1:]:
            if row[0]:
                refs.add(row[0])
                deprived += deciles[lsoa_of[row[pc_col]]] <= 2
        for row in list(wb["Outcomes"].iter_rows(values_only=True))[1:]:
            if row[2] == "job_start":
                job_starters.add(row[0])
                if row[5] is not None:
                    pays += 1
                    on = row[3] if not isinstance(row[3], str) else None
                    year = str(on.year if on.month >= 4 else on.year - 1) if on else None
                    below_rlw += bool(year) and row[5] < rlw[year]
    assert all(re.fullmatch(r"P-[A-Z]{3}-\d{6}", r) for r in refs)
    assert 0.35 <= len(job_starters) / len(refs) <= 0.45
    assert 0.22 <= deprived / len(refs) <= 0.38
    assert pays > 300 and below_rlw > 20


def test_every_header_is_accepted_by_the_contracts(small):
    spellings = contract_spellings()
    for f in build_files(scale=SMALL):
        written = read_back(small.landing_dir / f.rel_path, f)
        for sheet in f.sheets:
            rows = written[sheet.name]
            if sheet.entity is None:
                assert rows == [] or all(not any(r) for r in rows)
                continue
            header = rows[f.header_line() - 1]
            index = spellings[(f.feed, sheet.entity)]
            unknown = [h for h in header if norm(h) not in index]
            assert not unknown, f"{f.rel_path}#{sheet.name}: {unknown}"
            mapped = [index[norm(h)] for h in header]
            assert len(mapped) == len(set(mapped)), f"{f.rel_path}: two headers, one column"
            missing = required_columns(f.feed, sheet.entity) - set(mapped)
            assert not missing, f"{f.rel_path}#{sheet.name} lacks {missing}"


@pytest.mark.parametrize("seed, scale", [(20240401, SMALL), (99, 0.01)])
def test_planted_defects_are_where_they_say(tmp_path, seed, scale):
    summary = generate_demo_data(tmp_path, seed=seed, scale=scale)
    spellings = contract_spellings()
    files = {f.name: f for f in build_files(seed, scale)}
    assert len(PLANTED_DEFECTS) >= 10
    for d in PLANTED_DEFECTS:
        f = files[d.file_name]
        rows = read_back(summary.landing_dir / f.rel_path, f)[d.sheet or f.sheets[0].name]
        header = rows[f.header_line() - 1]
        index = spellings[(d.feed, d.entity)]
        col = [index.get(norm(h)) for h in header].index(d.column)
        assert rows[d.row_number - 1][col] == d.raw_value, d
        assert d.row_number > f.header_line()


def test_postcode_lookup_covers_every_ox_postcode(small, lookup_path):
    assert lookup_path.read_text(encoding="utf-8") == lookup_csv_text(
        build_postcodes(load_lsoas()))
    lookup = pl.read_csv(lookup_path)
    assert lookup.columns == ["pcds", "lsoa11", "laua", "synthetic"]
    assert lookup["pcds"].is_unique().all() and lookup["synthetic"].all()
    assert set(lookup["lsoa11"]) == {x.code for x in load_lsoas()}
    known = set(lookup["pcds"])
    used, outside = set(), set()
    pattern = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b")
    for path in small.landing_dir.rglob("*"):
        if path.suffix == ".csv":
            text = path.read_bytes().decode("cp1252" if path.name.startswith("ouh") else "utf-8")
        elif path.suffix == ".xlsx":
            wb = openpyxl.load_workbook(path, read_only=True)
            text = " ".join(str(v) for ws in wb.worksheets
                            for row in ws.iter_rows(values_only=True) for v in row if v)
        else:
            continue
        for pc in pattern.findall(text):
            (used if pc.startswith("OX") else outside).add(pc)
    assert used and used <= known
    # Out-of-county suppliers have real-looking postcodes that the lookup does not know.
    out_of_county = {p for p in outside if p.split(" ")[0] in OUT_OF_COUNTY_OUTWARD}
    assert out_of_county and not out_of_county & known
    register = pl.read_csv(small.landing_dir / "spend" / "supplier-register.csv",
                           infer_schema=False)
    local = register["Post Code"].is_in(list(known)).mean()
    assert 0.3 <= local <= 0.5


def test_ingest_agrees_with_the_summary(tmp_path, lookup_path):
    """The project's own ingest loads and quarantines exactly what the summary says."""
    small = generate_demo_data(tmp_path, scale=0.01)
    con = duckdb.connect()
    lookup = ingest.PostcodeLookup.from_csv(lookup_path)
    paths = sorted(small.landing_dir.joinpath(f) for f in small.files)
    reports = ingest.load_files(con, paths, key="demo-test-key", lookup=lookup)
    assert all(r.status == "loaded" for r in reports)
    loaded = dict(con.sql(
        "select feed || '__' || entity, sum(rows_loaded) from raw.load_audit group by all"
    ).fetchall())
    assert loaded == small.expected_loaded()
    quarantined = {(r[0].split("#")[0], r[1], r[2]) for r in con.sql(
        "select source_file, row_number, column_name from raw.quarantine").fetchall()}
    assert quarantined == {(d.file_name, d.row_number, d.column) for d in PLANTED_DEFECTS}


def test_docs_list_every_planted_defect():
    text = (ROOT / "docs" / "demo-data.md").read_text(encoding="utf-8")
    for d in PLANTED_DEFECTS:
        line = next((x for x in text.splitlines() if f"`{d.file_name}`" in x
                     and f"`{d.column}`" in x), None)
        assert line, d
        assert f"| {d.row_number} |" in line and (d.raw_value == "" or d.raw_value in line)


GREATER_MANCHESTER = [f"E080000{n:02d}" for n in range(1, 11)]
GM_ANCHORS = ["Trafford Council", "Manchester City Council", "Manchester University NHS Foundation Trust",
              "University of Manchester"]


def test_oxfordshire_keeps_its_own_cast_and_other_areas_get_one_from_their_anchors():
    from demo import OXFORDSHIRE, DemoAreaError

    assert demo_area("Oxfordshire", list(reversed(OXFORDSHIRE.local_authorities)),
                     ["Oxfordshire County Council", "Oxford City Council",
                      "Oxford University Hospitals NHS Foundation Trust"]) is OXFORDSHIRE
    gm = demo_area("Greater Manchester", GREATER_MANCHESTER, GM_ANCHORS)
    assert [a.name for a in gm.spend_anchors] == GM_ANCHORS[:3]
    assert dict((name, la) for name, _, la in gm.charter_anchors)["Trafford Council"] == "E08000009"
    with pytest.raises(DemoAreaError, match="three"):
        demo_area("Greater Manchester", GREATER_MANCHESTER, GM_ANCHORS[:2])
    with pytest.raises(DemoAreaError, match="in E07999999: not a local authority"):  # Craven (E07000163) is
        demo_area("Nowhere", ["E07000163", "E07999999"], GM_ANCHORS)  # a 2019 district: not named


def test_a_second_area_draws_its_postcodes_and_lsoas_from_that_area(tmp_path):
    """Greater Manchester: every postcode of the feeds is in its own synthetic lookup (or an
    out-of-area supplier's), every LSOA there is one of its 1,673, spend comes from its anchors."""
    gm = demo_area("Greater Manchester", GREATER_MANCHESTER, GM_ANCHORS)
    summary = generate_demo_data(tmp_path / "landing", scale=0.02, area=gm)
    lookup = pl.read_csv(write_postcode_lookup(tmp_path / "lookup.csv", GREATER_MANCHESTER))
    seed = pl.read_csv(ROOT / "dbt_project/seeds/reference/lsoa_imd2019.csv")
    area_lsoas = set(seed.filter(pl.col("la_code").is_in(GREATER_MANCHESTER))["lsoa_code"])
    assert len(area_lsoas) == 1_673 and set(lookup["lsoa11"]) == area_lsoas
    assert set(lookup["laua"]) == set(GREATER_MANCHESTER) and lookup["synthetic"].all()
    known = set(lookup["pcds"])
    register = pl.read_csv(summary.landing_dir / "spend" / "supplier-register.csv", infer_schema=False)
    inside = register.filter(pl.col("Post Code").is_in(list(known)))
    assert 0.3 <= inside.height / register.height <= 0.55
    outside = {pc.split(" ")[0] for pc in register["Post Code"] if pc not in known}
    assert outside and outside <= set(OUT_OF_COUNTY_OUTWARD) - {"M1", "M3"}  # Manchester's own are left out
    for path in (summary.landing_dir / "programme").glob("*.xlsx"):
        rows = list(openpyxl.load_workbook(path, read_only=True)["Participants"].iter_rows(values_only=True))
        column = next(i for i, h in enumerate(rows[0]) if "ostcode" in h)
        assert {r[column] for r in rows[1:] if r[0]} <= known, path.name
    publishers = set()
    for path in (summary.landing_dir / "spend").glob("*-20??*.csv"):
        text = path.read_bytes().decode("cp1252" if "trust" in path.name else "utf-8-sig")
        publishers |= {GM_ANCHORS[i] for i in range(3) if GM_ANCHORS[i] in text}
    assert publishers == set(GM_ANCHORS[:3])
    files = {f.name: f for f in build_files(scale=0.02, area=gm)}
    defects = planted_defects(gm)
    assert {d.file_name for d in defects} <= set(files) and len(defects) == len(PLANTED_DEFECTS)
