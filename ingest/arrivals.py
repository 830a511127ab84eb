"""The landing folder as the ingest sees it: which entries are offered, in what order, and what each
declares it replaces.

- Entries: every name with a supported extension, in any case (`x.XLSX`, `y.Csv`, `z.ZIP`);
  symlinks, directories and other non-regular entries with such a name are offered too, so the
  ingest refuses and records them (it never follows a link). Hidden files and Office lock files
  (`.x.csv`, `~$book.xlsx`) are never data.
- Order: arrival order, kept in `landing/<feed>/.arrivals.jsonl` (one line per content, by sha256,
  the first time a load takes it). A rebuild from the folder loads in that order whatever the
  names; files the ledger has not seen follow, by modification time then sha256 (never the name).
- Declared replacements: a sidecar `NAME.replaces` (one file name a line) says NAME replaces those
  files; NAME is then loaded after them. `impact ingest NAME --replaces OLD` writes it for a file in
  the landing folder, so a rebuild repeats the declaration.
- A file loaded with `impact ingest` from outside the folder is copied into it (`keep_copy`), with
  its declaration and its place in the arrival order: the folder stays the record of every load.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from ingest.loader import sha256_of
from ingest.readers import SUPPORTED_SUFFIXES

LEDGER = ".arrivals.jsonl"
SIDECAR = ".replaces"


@dataclass(frozen=True)
class Offer:
    """One landing entry, ready for `load_files`."""

    path: Path
    replaces: tuple[str, ...] = ()
    received_at: dt.datetime | None = None


def is_data_name(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith(("~$", "."))


def entries(folder: Path) -> list[Path]:
    """Every data entry of the folder (regular or not), unordered."""
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if is_data_name(p) and (p.is_symlink() or not p.is_dir())]


def unsupported(folder: Path) -> list[Path]:
    """Files a steward dropped that the ingest will never take (shown by `impact status`)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink() and not is_data_name(p)
                  and not p.name.startswith((".", "~$")) and p.suffix != SIDECAR)


def declared(path: Path) -> tuple[str, ...]:
    sidecar = path.with_name(path.name + SIDECAR)
    if not sidecar.is_file() or sidecar.is_symlink():
        return ()
    names = [line.strip() for line in sidecar.read_text(encoding="utf-8", errors="replace").splitlines()]
    return tuple(dict.fromkeys(Path(n).name for n in names if n and not n.startswith("#")))


def write_sidecar(path: Path, replaces: list[str]) -> Path:
    sidecar = path.with_name(path.name + SIDECAR)
    sidecar.write_text("".join(f"{Path(n).name}\n" for n in replaces), encoding="utf-8")
    return sidecar


def keep_copy(folder: Path, path: Path, sha256: str, replaces: list[str] | None = None) -> Path:
    """Copy a file loaded from outside the landing folder into it (its feed's folder), so a warehouse
    rebuilt from the folder has its rows: under its own name, or `NAME-<sha>.ext` when the folder
    holds other content under that name; with its declaration beside it and its arrival recorded.
    The copy appears whole (written under a hidden name, then renamed). Returns the copy."""
    def held(entry: Path) -> str | None:
        return sha256_of(entry) if _regular(entry) else None

    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / path.name
    if (there := held(copy)) not in (None, sha256):
        copy = folder / f"{path.stem}-{sha256[:8]}{path.suffix}"
        there = held(copy)
    if there != sha256:
        partial = folder / f".{copy.name}.partial"
        shutil.copy2(path, partial)
        os.replace(partial, copy)
    if replaces:
        write_sidecar(copy, replaces)
    arrival_order(folder, [copy], record=True)
    return copy


def _ledger(folder: Path) -> list[dict]:
    try:
        lines = (folder / LEDGER).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a torn last line: the entry is written again next time
    return out


def arrived(folder: Path) -> set[str]:
    """The contents (sha256) loads have taken from the folder, whether or not they are still in it."""
    return {entry["sha256"] for entry in _ledger(folder)}


def _regular(path: Path) -> os.stat_result | None:
    try:
        info = path.lstat()
    except OSError:
        return None
    return info if stat.S_ISREG(info.st_mode) else None


def arrival_order(folder: Path, paths: list[Path], *, record: bool) -> list[Offer]:
    """`paths` (entries of `folder`) in arrival order, each with its declared replacements and the
    time it first arrived. With `record`, contents not yet in the ledger are appended to it."""
    ledger = _ledger(folder)
    position: dict[str, tuple[int, dict]] = {}
    for index, entry in enumerate(ledger):
        position.setdefault(entry["sha256"], (index, entry))
    known = {(e["file"], e["size"], e["mtime"]): e["sha256"] for e in ledger}
    keyed, others, new = [], [], []
    for path in paths:
        info = _regular(path)
        if info is None:
            others.append(path)  # refused by the ingest, after the rest
            continue
        sha = known.get((path.name, info.st_size, info.st_mtime)) or sha256_of(path)
        keyed.append((path, sha, info))
        if sha not in position:
            new.append((info.st_mtime, sha, path, info))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    added: list[dict] = []
    for mtime, sha, path, info in sorted(new, key=lambda n: (n[0], n[1])):
        entry = {"sha256": sha, "file": path.name, "size": info.st_size, "mtime": mtime,
                 "first_seen": now.isoformat(timespec="seconds")}
        position[sha] = (len(ledger) + len(added), entry)
        added.append(entry)
    if record and added:
        _append(folder, added)
    ordered = sorted(keyed, key=lambda k: position[k[1]][0])
    offers = [Offer(p, declared(p), dt.datetime.fromisoformat(position[sha][1]["first_seen"]))
              for p, sha, _ in ordered]
    return _after_what_they_replace(offers) + [Offer(p) for p in sorted(others)]


def _append(folder: Path, entries_: list[dict]) -> None:
    text = "".join(json.dumps(e, sort_keys=True) + "\n" for e in entries_)
    try:
        with (folder / LEDGER).open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:
        pass  # a read-only landing folder: the order falls back to modification times


def _after_what_they_replace(offers: list[Offer]) -> list[Offer]:
    """Move each file behind the files its sidecar names (a stable topological order)."""
    ordered: list[Offer] = []
    waiting = list(offers)
    names = {o.path.name for o in offers}
    while waiting:
        placed = {o.path.name for o in ordered}
        ready = next((o for o in waiting if all(n in placed or n not in names or n == o.path.name
                                                for n in o.replaces)), waiting[0])  # a cycle: arrival order
        ordered.append(ready)
        waiting.remove(ready)
    return ordered
