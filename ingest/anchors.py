"""The partnership's declared anchor institutions, enforced at the door of the spend feed.

A spend file's publisher is the value of its `anchor` column: the file's own column (Body Name,
OrganisationLabel, Client, ...) or, for a publisher whose files carry none, the constant of its
layout in `ingest/contracts/publishers.yaml`. Every value must be a declared anchor's name or one
of its aliases (compared case- and punctuation-insensitively); it is stored as the declared name,
so one anchor has one spelling in the warehouse whatever its files call it. A file naming an
undeclared publisher is refused as a whole, with the publisher, its rows and how to declare it;
nothing of it loads, and once declared the same file loads on the next run.

The declarations come from the configuration (impact.toml [[anchors]]), handed in by the caller:
ingest never reads the orchestration's settings.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from ingest.contracts import Entity

ANCHOR_COLUMN = "anchor"


def spelling(name: str) -> str:
    """Names compare as lower case with punctuation and spacing folded ('Trafford  Council.' ->
    'trafford council')."""
    return re.sub(r"[^0-9a-z]+", " ", name.lower()).strip()


@dataclass(frozen=True)
class Anchor:
    name: str
    aliases: tuple[str, ...] = ()
    in_area: bool = True


@dataclass(frozen=True)
class DeclaredAnchors:
    """The anchors a partnership declared; `where` tells a steward where to declare another."""

    anchors: tuple[Anchor, ...]
    partnership: str = "the partnership"
    where: str = "impact.toml"
    by_spelling: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        for anchor in self.anchors:
            for name in (anchor.name, *anchor.aliases):
                taken = self.by_spelling.setdefault(spelling(name), anchor.name)
                if taken != anchor.name:
                    raise ValueError(f"{name!r} names two anchors: {taken!r} and {anchor.name!r}")

    def declared_name(self, publisher: str) -> str | None:
        return self.by_spelling.get(spelling(publisher))


class PublisherCheck:
    """One file's publishers, batch by batch: declared spellings become the declared name, and
    undeclared ones are counted for the refusal. A no-op without declarations or an anchor column."""

    def __init__(self, declared: DeclaredAnchors | None, entity: Entity) -> None:
        has_anchor = any(c.name == ANCHOR_COLUMN for c in entity.columns)
        self.declared = declared if has_anchor and entity.feed == "spend" else None
        self.undeclared: Counter[str] = Counter()

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        if self.declared is None or ANCHOR_COLUMN not in frame.columns:
            return frame
        seen = frame[ANCHOR_COLUMN].drop_nulls().value_counts()
        mapping = {}
        for publisher, rows in seen.iter_rows():
            name = self.declared.declared_name(publisher)
            if name is None:
                self.undeclared[publisher] += rows
            elif name != publisher:
                mapping[publisher] = name
        if not mapping:
            return frame
        return frame.with_columns(pl.col(ANCHOR_COLUMN).replace(mapping))

    def refusal(self, source: str) -> str | None:
        """The message refusing the file, or None when every publisher is declared."""
        if not self.undeclared or self.declared is None:
            return None
        named = ", ".join(f'"{p}" ({rows:,} rows)' for p, rows in self.undeclared.most_common())
        first = self.undeclared.most_common(1)[0][0]
        return (f"{source}: published by {named}, not a declared anchor institution of "
                f"{self.declared.partnership}; nothing of the file was loaded. If it is one, declare it in "
                f"{self.declared.where}: [[anchors]] name = \"{first}\" (in_area = false if it is based "
                f"outside the area), or add the spelling to an anchor's aliases; then load the file again")
