"""Apply a feed contract to a table: find the header row and the entity, map header spellings to
canonical columns, parse every column (vectorised), and split each batch into rows that load and
issues that go to quarantine (file, row, column, raw value, reason). Blank rows and footer/total
rows are skipped and counted (ingest/quarantine.py). A batch's rows and issues go to the warehouse
as soon as they are known: what is kept across the file is counts, never rows, so a file of any
size conforms in bounded memory.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from ingest import columns as parsers
from ingest.contracts import Entity, PublisherLayout, normalise_header
from ingest.privacy import PayeeVerdicts, withhold_payees
from ingest.quarantine import failed_rows, issue_frame, recorded_cells
from ingest.tables import HEAD_ROWS, Table


class WrongLayout(ValueError):
    """No sheet of the file has the header of any entity of the feed (or the file is not usable)."""


@dataclass(frozen=True)
class Header:
    index: int  # position of the header row in table.head
    row_number: int
    entity: Entity
    mapping: dict[int, str]  # cell position -> canonical column (PII columns included)
    constants: dict[str, str]  # canonical column -> value, for columns the file does not carry
    dropped_pii: tuple[str, ...]
    ignored: tuple[str, ...]
    width: int


@dataclass
class Conformed:
    """One table's counts, accumulated over its batches (its rows and issues are written batch by batch)."""

    header: Header
    source: str
    rows_read: int = 0
    rows_quarantined: int = 0
    footer_rows: int = 0
    blank_rows: int = 0
    payees_redacted: int = 0
    publisher_total: Decimal | None = None
    failures: dict[str, int] = field(default_factory=dict)  # required column -> rows where it failed
    month_first: int = 0
    day_first: int = 0
    oversized: bool = False  # a cell beyond the readers' limit: the file is unreadable
    example_failure: dict[str, str] = field(default_factory=dict)  # column -> masked shape of a failed cell
    date_bounds: tuple[dt.date, dt.date] | None = None  # the feed's plausible dates for this file
    payees: PayeeVerdicts = field(default_factory=PayeeVerdicts)  # names judged so far (withheld or not)

    @property
    def entity(self) -> Entity:
        return self.header.entity


@dataclass
class Batch:
    """One batch's outcome: the rows that load (canonical typed columns + _row_number) and its
    quarantine rows (ingest/quarantine.py ISSUE_SCHEMA)."""

    rows: pl.DataFrame
    issues: pl.DataFrame


def find_header(table: Table, entities: list[Entity], layout: PublisherLayout | None) -> Header:
    """The header row, its entity, and how its cells map to canonical columns."""
    constants = dict(layout.constants) if layout else {}
    best, nearest = None, None
    for index, (_, cells) in enumerate(table.head[:HEAD_ROWS]):
        spellings = [normalise_header(c) for c in cells]
        for entity in entities:
            marker = next((c for c in cells for m in entity.aggregate_markers
                           if re.search(m, normalise_header(c) + " ")), None)
            if marker:
                raise WrongLayout(f"{table.source}: holds totals (a pivot table: '{marker.strip()}'), not "
                                  "individual transactions; load the transaction-level file instead")
            mapping: dict[int, str] = {}
            for position, spelling in enumerate(spellings):
                name = entity.header_index.get(spelling)
                if name and name not in mapping.values():
                    mapping[position] = name
            matched = set(mapping.values()) | {c for c in constants if any(x.name == c for x in entity.columns)}
            missing = [r for r in entity.required if r not in matched]
            score = len(set(mapping.values()))
            if not missing and (best is None or score > best[0]):
                best = (score, index, entity, mapping)
            elif missing and score >= 2 and (nearest is None or score > nearest[0]):
                nearest = (score, entity, missing)
    if nearest and (best is None or nearest[0] > best[0]):
        _, entity, missing = nearest
        raise WrongLayout(
            f"{table.source}: looks like {entity.feed} {entity.name} but has no column for {', '.join(missing)} "
            f"(add the publisher's spelling to ingest/contracts/{entity.feed}.yaml or a layout to publishers.yaml)")
    if best is None:
        feeds = sorted({e.feed for e in entities})
        raise WrongLayout(f"{table.source}: no header row matching the {'/'.join(feeds)} contract "
                          f"in the first {HEAD_ROWS} rows")
    _, index, entity, mapping = best
    row_number, cells = table.head[index]
    _refuse_ambiguous(table.source, cells, entity)
    pii = {c.name for c in entity.drop_pii}
    present = set(mapping.values())
    return Header(
        index=index, row_number=row_number, entity=entity, mapping=mapping,
        constants={k: v for k, v in constants.items() if k not in present and any(c.name == k for c in entity.columns)},
        dropped_pii=tuple(sorted({cells[p].strip() for p, n in mapping.items() if n in pii})),
        ignored=tuple(c.strip() for p, c in enumerate(cells) if p not in mapping and c.strip()),
        width=len(cells),
    )


def _refuse_ambiguous(source: str, cells: list[str], entity: Entity) -> None:
    """Two header cells for one required column ('Amount' twice, 'Amount' and 'amount ', 'Amount'
    and 'Net Amount'): which one the publisher meant cannot be known, so the file is refused."""
    claims: dict[str, list[str]] = {}
    for position, cell in enumerate(cells):
        name = entity.header_index.get(normalise_header(cell))
        if name in entity.required:
            claims.setdefault(name, []).append(f"column {position + 1} {cell.strip()[:40]!r}")
    twice = {name: where for name, where in claims.items() if len(where) > 1}
    if twice:
        detail = "; ".join(f"{name}: {', '.join(where)}" for name, where in twice.items())
        raise WrongLayout(f"{source}: ambiguous header, more than one column for a required field ({detail}); "
                          "keep one of them and send the file again")


def conform_batch(batch: pl.DataFrame, header: Header, out: Conformed, layout: PublisherLayout | None,
                  from_excel: bool) -> Batch:
    """Parse one batch of body rows: its rows that load and its quarantine rows; counts go to `out`.

    Two phases: every row gets the cheap conversion of each column (one Polars pass, which also
    splits off the unusual rows); only rows where some cell is unusual (empty where required, an
    odd format, out of range, a formula error) get the full parse that names the reason. Most rows
    of a real file never reach the second phase, and a batch without unusual rows skips it.
    """
    entity = header.entity
    present = _raw_columns(header, layout)
    columns = [c for c in entity.columns if c.name in present]
    cheap, unusual = [], []
    for column in columns:
        value, needs_full = parsers.fast(pl.col(f"t_{column.name}"), column)
        if column.type == "date" and column.window and out.date_bounds:
            low, high = out.date_bounds
            needs_full = needs_full | (value < low).fill_null(False) | (value > high).fill_null(False)
        cheap.append(value.alias(column.name))
        if column.required and not column.redactable:
            needs_full = needs_full | value.is_null()
        unusual.append(needs_full)
    keep = [c.name for c in columns] + ["_row_number"]
    frame = batch.lazy().select(
        "_row_number", "_extra_cells", *[parsers.cleaned(expr).alias(f"t_{name}") for name, expr in present.items()]
    ).with_columns(*cheap, (pl.any_horizontal(unusual) | (pl.col("_extra_cells") > 0)).alias("_full"))
    # One pass computes both halves: ordinary rows keep only their typed values.
    ordinary, flagged = pl.collect_all([frame.filter(~pl.col("_full")).select(keep), frame.filter(pl.col("_full"))])
    good, issues = ordinary, []
    if flagged.height:
        parsed = _full_parse(flagged, columns, from_excel, out.date_bounds)
        why = [c for c in parsed.columns if c.startswith("_why_")]
        fatal = [f"_why_{c.name}" for c in columns if c.on_invalid != "null_and_record"] + ["_why_(row)"]
        parsed = parsed.with_columns(pl.any_horizontal(pl.col(fatal).is_not_null()).alias("_fatal"))
        issues.append(failed_rows(parsed.filter(pl.col("_fatal")), batch, header, out))
        soft = parsed.filter(~pl.col("_fatal"))
        issues.append(recorded_cells(soft, why))
        if soft.height:  # both halves are in file order: a linear merge keeps it
            good = ordinary.merge_sorted(soft.select(keep), "_row_number")
        _month_first(parsed, columns, out)
    good, withheld = withhold_payees(good, columns, entity, out.payees)
    out.payees_redacted += withheld
    _day_first(good, columns, out)
    out.rows_read += good.height
    if entity.business_key:
        good, repeats = _first_of_each_key(good, entity, out)
        issues.append(repeats)
    return Batch(good, pl.concat(issues) if issues else issue_frame([]))


def _raw_columns(header: Header, layout: PublisherLayout | None) -> dict[str, pl.Expr]:
    """Canonical column -> its raw cells (a file column, or the layout's constant)."""
    aliases = layout.value_aliases if layout else {}
    names = {c.name for c in header.entity.columns}
    raw: dict[str, pl.Expr] = {}
    for position, name in header.mapping.items():
        if name in names:
            expr = pl.col(f"c{position}")
            raw[name] = parsers.cleaned(expr).replace(aliases[name]) if name in aliases else expr
    for name, value in header.constants.items():
        raw[name] = pl.lit(value, pl.String)
    return raw


def _full_parse(rows: pl.DataFrame, columns, from_excel: bool, bounds) -> pl.DataFrame:
    """The reason-giving parse, for the unusual rows only."""
    values, reasons = [], []
    for column in columns:
        value, reason = parsers.parse(pl.col(f"t_{column.name}"), column, from_excel)
        if column.type == "date" and column.window and bounds:
            low, high = bounds
            reason = pl.coalesce(reason, pl.when(value < low).then(pl.lit(
                f"dated before {low:%Y}: outside the feed's plausible dates (impact.toml [ingest.date_windows])"))
                .when(value > high).then(pl.lit(
                    f"dated after {high:%Y-%m-%d}, too far after the file arrived: outside the feed's plausible "
                    "dates (impact.toml [ingest.date_windows])")))
            value = pl.when(reason.is_null()).then(value).otherwise(None)
        if column.required and not column.redactable:
            reason = pl.coalesce(reason, pl.when(value.is_null()).then(pl.lit("required value is missing")))
        values.append(value.alias(column.name))
        reasons.append(reason.alias(f"_why_{column.name}"))
    extra = pl.when(pl.col("_extra_cells") > 0).then(pl.concat_str(
        pl.lit("row has "), pl.col("_extra_cells").cast(pl.String), pl.lit(" more filled cell(s) than the header")))
    return rows.with_columns(*values, *reasons, extra.alias("_why_(row)"))


def _day_first(good: pl.DataFrame, columns, out: Conformed) -> None:
    """Evidence for the file's date order (across the whole file): a day above 12 in first place is
    day-first."""
    dates = [c.name for c in columns if c.type == "date"]
    if dates and good.height:
        out.day_first += int(good.select(pl.sum_horizontal((pl.col(d).dt.day() > 12).sum() for d in dates)).item())


def _month_first(parsed: pl.DataFrame, columns, out: Conformed) -> None:
    """A 'month' above 12 in second place that failed as day-first can only be month-first."""
    for column in columns:
        if column.type == "date":
            us, _ = parsers.month_first_evidence(pl.col(f"t_{column.name}"))
            out.month_first += int(parsed.select(us.sum()).item() or 0)


def _first_of_each_key(good: pl.DataFrame, entity: Entity, out: Conformed) -> tuple[pl.DataFrame, pl.DataFrame]:
    keys = list(entity.business_key)
    marked = good.with_columns(pl.col("_row_number").min().over(keys).alias("_first"))
    repeats = marked.filter(pl.col("_row_number") != pl.col("_first"))
    issues = [(row["_row_number"], ",".join(keys), "|".join(str(row[k]) for k in keys),
               f"repeats the key of row {row['_first']} in the same file")
              for row in repeats.select(["_row_number", "_first", *keys]).rows(named=True)]
    out.rows_quarantined += repeats.height
    return marked.filter(pl.col("_row_number") == pl.col("_first")).drop("_first"), issue_frame(issues)
