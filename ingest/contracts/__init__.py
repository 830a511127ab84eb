"""Declared feed contracts: canonical columns, types, required fields, allowed values, keys, PII.

The contracts are data (one YAML per feed beside this file). Adding a header alias or a new
publisher's spelling is an edit to the YAML, never to code.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when built with libyaml

CONTRACTS_DIR = Path(__file__).parent
LAYOUTS_FILE = "publishers.yaml"
FEEDS = ("charter", "programme", "spend", "wellbeing")
TYPES = ("text", "int", "decimal", "money", "date", "bool", "enum", "list")
SQL_TYPES = {
    "text": "VARCHAR", "enum": "VARCHAR", "list": "VARCHAR", "int": "INTEGER",
    "decimal": "DOUBLE", "money": "DECIMAL(18,2)", "date": "DATE", "bool": "BOOLEAN",
}
LINEAGE_COLUMNS = {
    "_source_file": "VARCHAR", "_file_sha256": "VARCHAR", "_row_number": "INTEGER",
    "_load_id": "VARCHAR", "_loaded_at": "TIMESTAMP",
}


def normalise_header(text: object) -> str:
    """Header spelling for matching: lower case, punctuation and spacing folded to one space."""
    return re.sub(r"[^0-9a-z]+", " ", str(text or "").lower()).strip()


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    allowed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    pseudonymise: bool = False
    postcode_to_lsoa: bool = False
    keep_outward_code: bool = False
    outward_code_only: bool = False
    on_invalid: str = "quarantine"  # or null_and_record
    redactable: bool = False  # a blank or matching value means a withheld (personal) payee
    redaction_patterns: tuple[str, ...] = ()
    redacts: tuple[str, ...] = ()  # columns emptied with it
    person_like: bool = False  # also withhold values that read as one person's name (privacy.person_like)
    window: bool = True  # dates: checked against the feed's plausible window (false for due dates)

    @property
    def spellings(self) -> set[str]:
        return {normalise_header(self.name), *(normalise_header(a) for a in self.aliases)}


@dataclass(frozen=True)
class Entity:
    feed: str
    name: str
    table: str
    description: str
    columns: tuple[Column, ...]
    business_key: tuple[str, ...] = ()
    replace_scope: tuple[str, ...] = ()
    drop_pii: tuple[Column, ...] = ()
    aggregate_markers: tuple[str, ...] = ()
    organisation_markers: tuple[str, ...] = ()  # words that make a payee an organisation, not a person
    header_index: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def stored_business_key(self) -> tuple[str, ...]:
        """The business key with pseudonymised references under their stored (hashed) names."""
        hashed = {c.name for c in self.columns if c.pseudonymise}
        return tuple(k.removesuffix("_ref") + "_key" if k in hashed else k for k in self.business_key)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def stored_columns(self) -> dict[str, str]:
        """Columns of the raw table in order, with SQL types (see docs/architecture.md)."""
        names = {c.name for c in self.columns}
        out: dict[str, str] = {}
        for col in self.columns:
            if col.pseudonymise:
                out[col.name.removesuffix("_ref") + "_key"] = "VARCHAR"
            elif col.postcode_to_lsoa:
                out.setdefault("lsoa_code", "VARCHAR")
                if "district" not in names:
                    out["district_code"] = "VARCHAR"
                if col.keep_outward_code:
                    out["postcode_outward"] = "VARCHAR"
            else:
                out[col.name] = SQL_TYPES[col.type]
            if col.redactable:
                out["payee_redacted"] = "BOOLEAN"
        return out | LINEAGE_COLUMNS


def _column(spec: dict, where: str) -> Column:
    kind = spec.get("type", "text")
    if kind not in TYPES:
        raise ValueError(f"{where}: column {spec.get('name')!r} has unknown type {kind!r}")
    return Column(
        name=spec["name"], type=kind, required=bool(spec.get("required", False)),
        allowed=tuple(str(a) for a in spec.get("allowed", ())),
        aliases=tuple(str(a) for a in spec.get("aliases", ())),
        min=spec.get("min"), max=spec.get("max"),
        pseudonymise=bool(spec.get("pseudonymise", False)),
        postcode_to_lsoa=bool(spec.get("postcode_to_lsoa", False)),
        keep_outward_code=bool(spec.get("keep_outward_code", False)),
        outward_code_only=bool(spec.get("outward_code_only", False)),
        on_invalid=spec.get("on_invalid", "quarantine"),
        redactable=bool(spec.get("redactable", False)),
        redaction_patterns=tuple(spec.get("redaction_patterns", ())),
        redacts=tuple(spec.get("redacts", ())),
        person_like=bool(spec.get("person_like", False)),
        window=bool(spec.get("window", True)),
    )


def _entity(feed: str, name: str, spec: dict, where: str, markers: tuple[str, ...] = (),
            organisations: tuple[str, ...] = ()) -> Entity:
    columns = tuple(_column(c, where) for c in spec["columns"])
    pii = tuple(_column(c, where) for c in spec.get("drop_pii", ()))
    index: dict[str, str] = {}
    for col in (*columns, *pii):
        for spelling in col.spellings:
            index.setdefault(spelling, col.name)
    return Entity(
        feed=feed, name=name, table=spec["table"], description=spec.get("description", ""),
        columns=columns, business_key=tuple(spec.get("business_key", ())),
        replace_scope=tuple(spec.get("replace_scope", ())), drop_pii=pii, header_index=index,
        aggregate_markers=markers, organisation_markers=organisations,
    )


@cache
def load_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, dict[str, Entity]]:
    """All feeds' entities, keyed feed -> entity name."""
    contracts: dict[str, dict[str, Entity]] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == LAYOUTS_FILE:
            continue
        spec = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        feed = spec["feed"]
        markers = tuple(spec.get("aggregate_markers", ()))
        organisations = tuple(str(m).lower() for m in spec.get("organisation_markers", ()))
        contracts[feed] = {
            name: _entity(feed, name, entity, f"{path.name}:{name}", markers, organisations)
            for name, entity in spec["entities"].items()
        }
    return contracts


def all_entities() -> list[Entity]:
    return [e for entities in load_contracts().values() for e in entities.values()]


@dataclass(frozen=True)
class PublisherLayout:
    """What one publisher's files leave out or spell their own way (publishers.yaml)."""

    name: str
    feed: str
    files: tuple[str, ...]
    constants: dict = field(default_factory=dict, hash=False)
    value_aliases: dict = field(default_factory=dict, hash=False)
    sheet: str | None = None
    notes: str = ""

    def matches(self, file_name: str) -> bool:
        return any(fnmatch.fnmatch(file_name.lower(), pattern.lower()) for pattern in self.files)


@cache
def load_layouts(directory: Path = CONTRACTS_DIR) -> tuple[PublisherLayout, ...]:
    path = directory / LAYOUTS_FILE
    if not path.exists():
        return ()
    specs = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER).get("publishers", [])
    return tuple(
        PublisherLayout(name=s["name"], feed=s["feed"], files=tuple(s["files"]),
                        constants=dict(s.get("constants", {})), value_aliases=dict(s.get("value_aliases", {})),
                        sheet=s.get("sheet"), notes=s.get("notes", ""))
        for s in specs
    )


def layout_for(file_name: str, feed: str | None) -> PublisherLayout | None:
    return next((lay for lay in load_layouts() if lay.matches(file_name) and feed in (None, lay.feed)), None)
