"""Privacy at the door: people's references become keyed hashes, full postcodes become an LSOA
(and at most an outward code), and personal columns are never stored (spec §3.2)."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest import columns as parsers
from ingest.contracts import Entity

_POLARS: dict[str, pl.DataType] = {
    "VARCHAR": pl.String(), "INTEGER": pl.Int32(), "DOUBLE": pl.Float64(), "DATE": pl.Date(),
    "BOOLEAN": pl.Boolean(), "TIMESTAMP": pl.Datetime("us"), "DECIMAL(18,2)": pl.Decimal(18, 2),
}


def polars_type(sql_type: str) -> pl.DataType:
    return _POLARS[sql_type]


def pseudonymise(reference: str | None, key: str) -> str | None:
    """HMAC-SHA256 of the trimmed, upper-cased reference: stable across files, not reversible."""
    if reference is None:
        return None
    digest = hmac.new(key.encode(), reference.strip().upper().encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class PostcodeLookup:
    """postcode -> (LSOA code, district code), from the ONS NSPL/ONSPD or the demo's synthetic file."""

    places: dict[str, tuple[str, str]]
    source: str
    _frame: list = field(default_factory=list, compare=False, hash=False)  # cached polars frame

    @classmethod
    def from_csv(cls, path: Path, lsoa_columns: tuple[str, ...] = ("lsoa11", "lsoa11cd", "lsoa21", "lsoa21cd")
                 ) -> PostcodeLookup:
        """`lsoa_columns`: the LSOA columns to use, in order of preference; the caller passes those of
        the LSOA geography its IMD edition is on (IMD 2019: lsoa11), so codes and deciles match."""
        if not path.exists():
            return cls({}, f"{path} (missing)")
        header = pl.read_csv(path, n_rows=0).columns
        lsoa = next((c for c in lsoa_columns if c in header), None)
        if "pcds" not in header or lsoa is None or "laua" not in header:
            raise ValueError(f"{path}: a postcode lookup needs columns pcds, {' or '.join(lsoa_columns)}, laua")
        frame = pl.read_csv(path, columns=["pcds", lsoa, "laua"], infer_schema=False)
        return cls({p: (code, district) for p, code, district in frame.iter_rows() if p}, str(path))

    def frame(self) -> pl.DataFrame:
        if not self._frame:
            raw = pl.DataFrame({"pcds": list(self.places), "lsoa": [v[0] for v in self.places.values()],
                                "laua": [v[1] for v in self.places.values()]},
                               schema={"pcds": pl.String, "lsoa": pl.String, "laua": pl.String})
            self._frame.append(raw.select(parsers.normalised_postcode(pl.col("pcds")).alias("_postcode"),
                                          "lsoa", "laua").unique("_postcode"))
        return self._frame[0]


def protect(frame: pl.DataFrame, entity: Entity, key: str, lookup: PostcodeLookup) -> pl.DataFrame:
    """Canonical typed columns -> exactly the stored columns of the raw table (plus _row_number)."""
    stored = {name: kind for name, kind in entity.stored_columns().items() if not name.startswith("_")}
    has_district = any(c.name == "district" for c in entity.columns)
    for column in entity.columns:
        if column.name not in frame.columns:
            continue
        if column.pseudonymise:
            hashed = {v: pseudonymise(v, key) for v in frame[column.name].unique().drop_nulls().to_list()}
            target = column.name.removesuffix("_ref") + "_key"
            frame = frame.with_columns(pl.col(column.name).replace_strict(hashed, default=None, return_dtype=pl.String)
                                       .alias(target)).drop(column.name)
        elif column.postcode_to_lsoa:
            frame = frame.with_columns(parsers.normalised_postcode(pl.col(column.name)).alias("_postcode"))
            frame = frame.join(lookup.frame(), on="_postcode", how="left", maintain_order="left")
            if "lsoa_code" in frame.columns:
                frame = frame.with_columns(pl.coalesce("lsoa_code", "lsoa").alias("lsoa_code"))
            else:
                frame = frame.rename({"lsoa": "lsoa_code"})
            if not has_district:
                frame = frame.with_columns(pl.col("laua").alias("district_code"))
            if column.keep_outward_code:
                frame = frame.with_columns(parsers.outward_code(pl.col(column.name)).alias("postcode_outward"))
            frame = frame.drop([c for c in (column.name, "_postcode", "lsoa", "laua") if c in frame.columns])
        elif column.outward_code_only:
            frame = frame.with_columns(parsers.outward_code(pl.col(column.name)).alias(column.name))
    return frame.select(
        *[(pl.col(n) if n in frame.columns else pl.lit(None)).cast(polars_type(k)).alias(n) for n, k in stored.items()],
        pl.col("_row_number").cast(pl.Int32),
    )


# --- what never appears in a message, and which payees are never named ----------------------------

def masked_shape(text: str, limit: int = 40) -> str:
    """'Jane Q Citizen QQ123456C' -> 'Aaaa A Aaaaaaa AA999999A': the form of a value, for messages
    that can leave the warehouse (audit, status, alerts, the pack), never the value itself."""
    masked = "".join("A" if c.isupper() else "a" if c.isalpha() else "9" if c.isdigit() else c
                     for c in text[:limit])
    return f"'{masked}'" + (f"... ({len(text)} characters)" if len(text) > limit else "")


_WORD = r"[A-Z][A-Za-z'’\-]*\.?"
_SUFFIXES = r"(?i)[\s,]+(?:qc|kc|mbe|obe|cbe|jp|esq\.?|snr|jnr)$"
_TRADING_AS = r"(?i)\s*[(]?\b(?:t\s*/\s*as?|trading as)\b.*$"
_LEGAL_FORM = r"(?i)\b(?:ltd|limited|plc|llp|llc|cic|cio|inc)\b"
_ACRONYM = r"\b[B-DF-HJ-NP-TV-XZ]{2,}\b"  # BT, HMRC, RSPB: letters of an organisation, never a name


def person_like(name: pl.Expr, organisation_markers: tuple[str, ...]) -> pl.Expr:
    """A payee that reads as one person's name: two or three capitalised words (initials aside,
    at most four tokens), no organisation marker word (Ltd, Trust, Services, Lodge, ...) and no
    all-consonant acronym. 'ANDREW P HOWARD', 'J Smith', 'Anne-Marie Cadman' are people; 'BIKE
    OXFORD SERVICES', 'BT REDCARE', 'ACE MINIMIX' are not; a sole trader 'Jo Bloggs t/a Bloggs Plumbing'
    is (docs/ingest-policy.md, rule 36)."""
    # "Harriet Quist t/a Quist Plumbing" is a sole trader: judged by the name before "t/a" / "trading as"
    # (an "X Ltd t/a Y" stays an organisation).
    text = (name.str.replace_all(r"\s+", " ").str.strip_chars().str.replace(_TRADING_AS, "")
            .str.replace(_SUFFIXES, ""))
    words = text.str.count_matches(r"\S+")
    initials = text.str.split(" ").list.eval(pl.element().str.contains(r"^[A-Z]\.?$")).list.sum()
    markers = r"(?i)(?:^|[\s(/])(?:" + "|".join(map(re.escape, organisation_markers)) + r")(?:$|[\s)/.,])"
    company = name.str.contains(_LEGAL_FORM)  # 'Jo Bloggs t/a Bloggs Print Ltd' trades as a company
    return (text.str.contains(rf"^{_WORD}(?: {_WORD}){{1,3}}$") & words.is_between(2, 4)
            & (words - initials).is_between(1, 3) & ~text.str.contains(markers) & ~text.str.contains(_ACRONYM)
            & ~company)


class PayeeVerdicts:
    """The names of one file already judged (personal or not), so a payee that recurs in every
    batch is judged once. Bounded: past MAX_NAMES distinct names, new ones are judged per batch."""

    MAX_NAMES = 200_000

    def __init__(self) -> None:
        self.judged: dict[str, pl.DataFrame] = {}  # column -> frame of (name, personal)

    def personal(self, names: pl.DataFrame, column: str, rule: pl.Expr) -> pl.Series:
        """Of `names` (one column, distinct), those the rule withholds."""
        known = self.judged.get(column)
        new = names if known is None else names.join(known, on=column, how="anti")
        verdicts = new.with_columns(rule.fill_null(False).alias("personal"))
        if known is None or known.height + verdicts.height <= self.MAX_NAMES:
            known = verdicts if known is None else pl.concat([known, verdicts])
            self.judged[column] = known
            return known.filter(pl.col("personal")).get_column(column)
        every = pl.concat([known, verdicts]).join(names, on=column, how="semi")
        return every.filter(pl.col("personal")).get_column(column)


def withhold_payees(good: pl.DataFrame, columns, entity: Entity,
                    verdicts: PayeeVerdicts | None = None) -> tuple[pl.DataFrame, int]:
    """Blank, masked, redacted or individual payees: the name (and what it redacts, the supplier
    ref) is removed and `payee_redacted` set. The rules run once per distinct name (once per file
    with `verdicts`)."""
    verdicts = verdicts or PayeeVerdicts()
    withheld_rows = 0
    for column in columns:
        if not column.redactable:
            continue
        pattern = "(?i)" + "|".join(f"(?:{p})" for p in column.redaction_patterns)
        rule = pl.col(column.name).str.contains(pattern)
        if column.person_like:
            rule = rule | person_like(pl.col(column.name), entity.organisation_markers)
        names = good.select(pl.col(column.name).drop_nulls().unique())
        personal = verdicts.personal(names, column.name, rule)
        name = pl.col(column.name)
        withheld = name.is_null() | name.is_in(personal.implode())
        good = good.with_columns(withheld.alias("payee_redacted")).with_columns(
            pl.when(pl.col("payee_redacted")).then(None).otherwise(pl.col(c)).alias(c)
            for c in (column.name, *column.redacts) if c in good.columns)
        withheld_rows += int(good["payee_redacted"].sum())
    return good, withheld_rows
