"""The product's one configuration: `impact.toml` plus environment variables, validated on load."""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from partnership.config_warehouse import Warehouse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "impact.toml"

# Publicly known, so only ever acceptable for the synthetic demo data directory.
DEMO_PSEUDONYMISATION_KEY = "demo-key-not-secret-do-not-use-for-real-data"
DEMO_MARKER = ".demo-data-dir"
FEEDS = ("charter", "programme", "spend", "wellbeing")
TODAY_ENV = "IMPACT_TODAY"  # an ISO date standing in for today (tests, drills, backdated runs)


def today() -> dt.date:
    """The date that decides which reporting years are open: $IMPACT_TODAY if set, else the clock.

    The one place the product reads "today" for reporting years (partitions, open or closed)."""
    override = os.environ.get(TODAY_ENV, "").strip()
    if not override:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(override)
    except ValueError as exc:
        raise ConfigError(f"{TODAY_ENV}={override!r} is not a date like 2025-06-15") from exc


class ConfigError(ValueError):
    """The configuration cannot be used; the message says what to change."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Partnership(_Section):
    name: str = "Oxfordshire Inclusive Economy Partnership"
    short_name: str = "OIEP"


class Area(_Section):
    """The partnership's area: local authorities chosen by their ONS codes; each is a sub-area
    ("district") of every breakdown when there are several."""

    code: str = Field("E10000025", pattern=r"^[EWSN]\d{8}$")
    name: str = Field("Oxfordshire", min_length=1)
    local_authorities: list[str] = ["E07000177", "E07000178", "E07000179", "E07000180", "E07000181"]

    @field_validator("local_authorities")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        bad = [c for c in codes if not re.fullmatch(r"E0[6789]\d{6}", c)]
        if not codes or bad or len(set(codes)) != len(codes):
            raise ValueError("local_authorities: one or more distinct English local authority district "
                             f"codes (E06/E07/E08/E09 and six digits){'; not codes: ' + ', '.join(bad) if bad else ''}")
        return codes

    @model_validator(mode="after")
    def _whole(self) -> Area:
        if self.model_fields_set and self.model_fields_set != {"code", "name", "local_authorities"}:
            raise ValueError("[area] needs code, name and local_authorities together (another area's "
                             "defaults would otherwise mix with yours)")
        return self


def _within(year: str, first: str | None, last: str | None) -> bool:
    """Whether reporting year `year` lies from `first` to `last` (either open; labels of one
    convention sort as years)."""
    return (first or year) <= year <= (last or year)


def _check_span(where: str, first: str | None, last: str | None) -> None:
    if first and last and first > last:
        raise ValueError(f"{where}: first_year {first} is after last_year {last}")


class AnchorInstitution(_Section):
    name: str = Field(min_length=1)
    aliases: list[str] = []
    in_area: bool = True  # false: based outside the area, counted and named as such
    # The reporting years its spend is expected in full: an anchor that joined later, or left (or
    # merged into another), is not owed spend outside them. Its payments loaded still count.
    first_year: str | None = None
    last_year: str | None = None

    @model_validator(mode="after")
    def _span(self) -> AnchorInstitution:
        _check_span(f"[[anchors]] {self.name!r}", self.first_year, self.last_year)
        return self

    def expected_in(self, year: str) -> bool:
        return _within(year, self.first_year, self.last_year)


class Reference(_Section):
    imd_edition: Literal["2019"] = "2019"  # ingest/reference/editions.py lists the editions
    postcode_lookup_edition: str = ""  # e.g. "NSPL February 2025": recorded in the snapshot's provenance


class MetricAssumptions(_Section):
    # WB06: years a paired change in life satisfaction is assumed to last. Above one year the Green
    # Book discounts, which WB06 does not do, so at most 1.
    wellby_duration_years: float = Field(1, gt=0, le=1)
    rlw_rate_in_force_from: Literal["announced_on", "implement_by"] = "announced_on"  # FE07
    wellbeing_population_surveys: list[Literal["resident_panel", "programme"]] = Field(
        ["resident_panel"], min_length=1)  # WB01, WB04


class Paths(_Section):
    data_dir: Path = Path("data")
    postcode_lookup: str = ""


class Reporting(_Section):
    year_start_month: int = Field(4, ge=1, le=12)
    first_year: str = "2022-23"  # the first reporting year offered as a Dagster partition
    # A year closes this many days after its last day (late returns); until then it is open:
    # provisional in the snapshot, gated to date, never an annual pack. 61: 1 June for an April year.
    grace_days: int = Field(61, ge=0, le=366)

    @model_validator(mode="after")
    def _first_year_is_a_label(self) -> Reporting:
        from partnership.reporting_years import start_year

        start_year(self.first_year, self.year_start_month)  # ValueError names the expected form
        return self


class Feeds(_Section):
    """What the partnership collects: the gate, freshness, status, metrics and pack cover these.

    A feed collected from a later reporting year than the others (`first_year`), or no longer
    (`last_year`), is covered in those years only: an earlier or later year is gated without it and
    its metrics read "not collected" there, while the years it was collected keep their figures."""

    collected: list[str] = list(FEEDS)
    supplier_register: bool = True  # spend: a register of suppliers (postcode, SME, type, ...) is provided
    first_year: dict[str, str] = {}  # feed -> the first reporting year it was collected (default: every year)
    last_year: dict[str, str] = {}  # feed -> the last reporting year it was collected (default: still collected)

    @model_validator(mode="after")
    def _known_feeds(self) -> Feeds:
        unknown = sorted(set(self.collected) - set(FEEDS))
        if unknown:
            raise ValueError(f"[feeds] collected: unknown feed(s) {', '.join(unknown)} (one of {', '.join(FEEDS)})")
        if not self.collected:
            raise ValueError("[feeds] collected: name at least one feed")
        if self.supplier_register and "spend" not in self.collected:
            self.supplier_register = False  # a register only ever describes spend
        self.collected = [f for f in FEEDS if f in self.collected]
        for key, years in (("first_year", self.first_year), ("last_year", self.last_year)):
            if stray := sorted(set(years) - set(self.collected)):
                raise ValueError(f"[feeds] {key}: {', '.join(stray)} not in [feeds] collected "
                                 f"({', '.join(self.collected)}); a year is given for a collected feed only")
        for feed in self.collected:
            _check_span(f"[feeds] {feed}", self.first_year.get(feed), self.last_year.get(feed))
        return self

    def collected_in(self, year: str) -> list[str]:
        """The feeds collected in reporting year `year` (labels of one convention sort as years)."""
        return [feed for feed in self.collected if _within(year, self.first_year.get(feed), self.last_year.get(feed))]

    def describe(self, feed: str) -> str:
        """`wellbeing (from 2024-25)`, `charter (2022-23 to 2023-24)`, or the bare name."""
        first, last = self.first_year.get(feed), self.last_year.get(feed)
        if first and last:
            return f"{feed} ({first} to {last})"
        return f"{feed} (from {first})" if first else f"{feed} (until {last})" if last else feed


class Disclosure(_Section):
    suppression_threshold: int = Field(10, ge=1, le=100)
    suppression_marker: str = "[c]"


class Privacy(_Section):
    pseudonymisation_key_env: str = "IMPACT_PSEUDONYMISATION_KEY"


class Gate(_Section):
    yoy_warning_pct: float = Field(50, gt=0)


class Rag(_Section):
    amber_tolerance: float = Field(0.0, ge=0, le=1)


class Toc(_Section):
    small_base_n: int = Field(10, ge=1)  # data-quality flag: a people-based actual on fewer people
    rag: Rag = Rag()
    # The partnership's own framework (a CSV with the shipped one's columns; relative paths are
    # relative to the project root); empty: the shipped one, Oxfordshire's (partnership/toc_framework.py)
    framework: str = ""


class DagsterSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(3000, ge=1, le=65535)
    data_docs_port: int = Field(3001, ge=1, le=65535)  # `impact ui` serves the GX Data Docs here


class Landing(_Section):
    sensor_interval_seconds: int = Field(15, ge=5)
    settle_seconds: float = Field(5, ge=0)


class Freshness(_Section):
    grace_days: int = Field(7, ge=0)
    cadence_days: dict[str, int] = {"spend": 31, "programme": 92, "wellbeing": 365, "charter": 92}


class Alerts(_Section):
    log_file: Path = Path("alerts.log")
    webhook_url_env: str = ""
    email_to: list[str] = []
    email_from: str = "impact-warehouse@localhost"
    smtp_host: str = ""
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_user_env: str = ""
    smtp_password_env: str = ""


_FEEDS = ("charter", "programme", "spend", "wellbeing")


class DateWindowSettings(_Section):
    floor_year: int = Field(2000, ge=1900, le=2100)  # dates before 1 January of this year are implausible
    future_days: int = Field(14, ge=0, le=3660)  # dates this many days after the file arrived are implausible


class IngestSettings(_Section):
    """[ingest]: what one load may cost and which values are plausible (ingest/rules.py)."""

    max_shrink_share: float = Field(0.5, gt=0, le=1)
    zip_max_ratio: float = Field(200, ge=2)
    zip_max_mb: int = Field(2048, ge=1)
    max_seconds_per_file: float = Field(900, gt=0)
    date_windows: dict[str, DateWindowSettings] = {
        "spend": DateWindowSettings(floor_year=2000), "programme": DateWindowSettings(floor_year=2010),
        "wellbeing": DateWindowSettings(floor_year=2010), "charter": DateWindowSettings(floor_year=2010)}

    @field_validator("date_windows")
    @classmethod
    def _known_feeds(cls, windows: dict[str, DateWindowSettings]) -> dict[str, DateWindowSettings]:
        unknown = sorted(set(windows) - set(_FEEDS))
        if unknown:
            raise ValueError(f"date_windows for unknown feed(s) {', '.join(unknown)}: one of {', '.join(_FEEDS)}")
        return windows


class DocsSite(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)


class SqlLimits(_Section):
    """`impact sql`: what one query may take from the machine the evaluator shares."""

    timeout_seconds: float = Field(120, gt=0, le=86400)
    memory_limit: str = Field("2GB", pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")


class Settings(_Section):
    partnership: Partnership = Partnership()
    area: Area = Area()
    anchors: list[AnchorInstitution] = []
    reference: Reference = Reference()
    metrics: MetricAssumptions = MetricAssumptions()
    paths: Paths = Paths()
    reporting: Reporting = Reporting()
    feeds: Feeds = Feeds()
    disclosure: Disclosure = Disclosure()
    privacy: Privacy = Privacy()
    gate: Gate = Gate()
    toc: Toc = Toc()
    dagster: DagsterSettings = DagsterSettings()
    landing: Landing = Landing()
    freshness: Freshness = Freshness()
    alerts: Alerts = Alerts()
    docs: DocsSite = DocsSite()
    sql: SqlLimits = SqlLimits()
    ingest: IngestSettings = IngestSettings()
    warehouse: Warehouse = Warehouse()  # partnership/config_warehouse.py
    _config_file: Path | None = PrivateAttr(None)
    _toc_indicators: list[dict] | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _area_and_anchors_known(self) -> Settings:
        from ingest.reference.editions import local_authorities

        known = local_authorities(self.imd_edition)
        if unknown := [code for code in self.area.local_authorities if code not in known]:
            raise ValueError(
                f"[area] local_authorities {', '.join(unknown)}: not a local authority of {self.imd_edition.label} "
                f"(its seed {self.imd_edition.seed_path.name} has {len(known)}); an authority created since "
                "is listed by its former districts' codes")
        self.declared_anchors()  # ValueError when one spelling names two anchors
        from partnership.reporting_years import start_year

        labels = [(f"[feeds] {key} of {feed}", year)
                  for key, years in (("first_year", self.feeds.first_year), ("last_year", self.feeds.last_year))
                  for feed, year in years.items()]
        for anchor in self.anchors:
            labels += [(f"[[anchors]] {anchor.name!r} {key}", year) for key, year in
                       (("first_year", anchor.first_year), ("last_year", anchor.last_year)) if year]
        for where, year in labels:
            try:
                start_year(year, self.reporting.year_start_month)
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
        if self.toc.framework:  # checked now: a bad file is refused with the configuration, naming row and column
            from partnership.toc_framework import read_framework

            self._toc_indicators = read_framework(self.toc_framework_path, self.reporting.year_start_month)
        return self

    @field_validator("paths")
    @classmethod
    def _absolute_data_dir(cls, paths: Paths) -> Paths:
        if not paths.data_dir.is_absolute():
            paths.data_dir = (PROJECT_ROOT / paths.data_dir).resolve()
        return paths

    # --- where things live under the data directory -------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.paths.data_dir

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def alerts_path(self) -> Path:
        return self.data_dir / self.alerts.log_file

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse" / "impact.duckdb"

    @property
    def engine_dir(self) -> Path:
        """Files of a PostgreSQL or Spark build kept in the data directory (raw Parquet, a local
        Spark warehouse and metastore)."""
        return self.data_dir / "engine"

    @property
    def published_path(self) -> Path:
        return self.data_dir / "published" / "impact.duckdb"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def docs_dir(self) -> Path:
        return self.data_dir / "docs"

    @property
    def gx_dir(self) -> Path:
        return self.data_dir / "gx"

    @property
    def data_docs_dir(self) -> Path:
        return self.gx_dir / "uncommitted" / "data_docs"  # GX's local Data Docs site lives below

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "warehouse" / "impact.duckdb.lock"

    @property
    def command_lock_path(self) -> Path:
        """Held by the steward command changing this data directory (partnership/command_lock.py)."""
        return self.data_dir / "warehouse" / "impact-command.lock"

    @property
    def config_file(self) -> Path | None:
        return self._config_file

    @property
    def imd_edition(self):
        from ingest.reference.editions import IMD_EDITIONS

        return IMD_EDITIONS[self.reference.imd_edition]

    def declared_anchors(self):
        """The [[anchors]] as ingest takes them (ingest/anchors.py)."""
        from ingest.anchors import Anchor, DeclaredAnchors

        return DeclaredAnchors(
            tuple(Anchor(a.name, tuple(a.aliases), a.in_area) for a in self.anchors),
            partnership=self.partnership.name, where=str(self._config_file or "impact.toml"))

    @property
    def postcode_lookup_path(self) -> Path:
        """The configured ONS NSPL/ONSPD file, else the synthetic lookup of the area's LSOAs that the
        orchestration writes into the data directory (publication/reference_data.py)."""
        if self.paths.postcode_lookup:
            return Path(self.paths.postcode_lookup).expanduser().resolve()
        return self.data_dir / "reference" / "postcode_lookup_synthetic.csv"

    @property
    def toc_framework_path(self) -> Path:
        """The partnership's Theory of Change framework file, else the shipped one (Oxfordshire's)."""
        from partnership.toc_framework import SHIPPED

        if not self.toc.framework:
            return SHIPPED
        path = Path(self.toc.framework).expanduser()
        return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()

    @property
    def toc_indicators(self) -> list[dict]:
        """The configured framework's indicators, checked; empty when the shipped one is in use."""
        return list(self._toc_indicators or [])

    @property
    def is_demo_data_dir(self) -> bool:
        return (self.data_dir / DEMO_MARKER).exists()

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    def collects(self, feed: str) -> bool:
        """Whether the partnership collects `feed` in any year: its files are loaded."""
        return feed in self.feeds.collected

    def collects_now(self, feed: str) -> bool:
        """Whether `feed` is collected in the reporting year in progress: freshness expects its files."""
        from partnership.reporting_years import year_containing

        return feed in self.feeds.collected_in(year_containing(today(), self.reporting.year_start_month))

    def pseudonymisation_key(self) -> str:
        """The key for keyed hashes of people's references: from the environment, never the repo.

        The public demo key is accepted only for a data directory made by `impact demo`.
        """
        key = os.environ.get(self.privacy.pseudonymisation_key_env, "")
        if self.is_demo_data_dir:
            return key or DEMO_PSEUDONYMISATION_KEY
        if not key:
            raise ConfigError(
                f"set {self.privacy.pseudonymisation_key_env} to a secret of at least 16 characters "
                f"before loading real data into {self.data_dir} (the demo key is refused outside demo mode)"
            )
        if key == DEMO_PSEUDONYMISATION_KEY:
            raise ConfigError(
                f"{self.privacy.pseudonymisation_key_env} is the public demo key; it is refused for "
                f"{self.data_dir}, which was not created by `impact demo`"
            )
        if len(key) < 16:
            raise ConfigError(f"{self.privacy.pseudonymisation_key_env} must be at least 16 characters")
        return key


def _fault(error) -> str:
    """`[reporting] year_start_month: Input should be ...` from one of pydantic's errors."""
    loc = [str(part) for part in error.get("loc", ())]
    where = f"[{loc[0]}] {'.'.join(loc[1:])}".strip() + ": " if loc else ""
    return where + str(error.get("msg", "")).removeprefix("Value error, ")


def load_settings(data_dir: str | Path | None = None, config_file: str | Path | None = None) -> Settings:
    """Read the configuration file, then apply IMPACT_DATA_DIR, then an explicit --data-dir."""
    path = Path(config_file or os.environ.get("IMPACT_CONFIG") or DEFAULT_CONFIG_FILE)
    if not path.exists():
        raise ConfigError(f"configuration file not found: {path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    override = data_dir or os.environ.get("IMPACT_DATA_DIR")
    if override:
        raw.setdefault("paths", {})["data_dir"] = str(Path(override).expanduser().resolve())
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:  # one line per fault, naming its key, without pydantic's input dump
        raise ConfigError(f"{path}: " + "; ".join(map(_fault, exc.errors()))) from exc
    except Exception as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    settings._config_file = path.resolve()
    return settings
