"""Whether a closed year's published pack still says what the snapshot says.

A late return for a closed year, a corrected file, a changed supplier register or changed settings
re-gate the year and refresh the snapshot, but the year's pack stays the revision the steering group
received. A pack is compared again once a gate of its year, or of an earlier closed year (its trends
and year-on-year changes show those), has been recorded since the pack was written and since its last
comparison: the latest revision against what a pack written now would hold
(exports.pack.latest_is_current, the fingerprint `write_pack` uses; nothing is written). The trigger
is the recorded state, not this run's events, so a run killed between the snapshot and the
comparison leaves the comparison to the next run. The verdict is kept in `ops.stage_state` (stage
"pack", key the year, fingerprint the revision compared) for `impact status` and for the next runs,
which repeat an OUT OF DATE verdict until a newer revision is written. Publishing again stays the
steward's decision: a pack is an official publication, so a run says so and does not write one.
"""

from __future__ import annotations

import datetime as dt

from exports.revisions import latest_revision
from orchestration import run_state
from orchestration.faults import pause_point
from orchestration.year_gate import GATE_STAGE
from partnership.config import Settings
from partnership.ledger import PACK_STAGE
from partnership.warehouse import write_connection

CURRENT, OUT_OF_DATE = "current", "out of date"


def pack_settings(settings: Settings) -> dict:
    """What from the configuration goes into a pack: the asset that writes it and the comparison use
    this one mapping, so both fingerprint the same content."""
    return {"partnership_name": settings.partnership.name,
            "suppression_threshold": settings.disclosure.suppression_threshold,
            "marker": settings.disclosure.suppression_marker,
            "synthetic": settings.is_demo_data_dir,  # a demo pack says so on every page and sheet
            "year_start_month": settings.reporting.year_start_month}


def packs_behind(settings: Settings, closed_years: list[str], run_id: str) -> list[tuple[str, str]]:
    """(year, latest revision) for each closed year whose latest pack no longer matches the
    snapshot: compared now where a gate was recorded since, else as last compared."""
    with write_connection(settings) as con:
        gates, checks = run_state.recorded(con, GATE_STAGE), run_state.recorded(con, PACK_STAGE)
    verdicts: dict[str, tuple[str, str]] = {}
    due: list[str] = []
    last_gate: dt.datetime | None = None
    for year in sorted(closed_years):
        if year in gates:
            last_gate = max(filter(None, (last_gate, gates[year].recorded_at)))
        latest = latest_revision(settings.exports_dir / year)
        if latest is None:
            continue
        revision, check = latest[0].name, checks.get(year)
        compared = check.recorded_at if check and check.fingerprint == revision else None
        since = max(filter(None, (compared, _produced_at(latest[1]))), default=None)
        if last_gate is not None and (since is None or last_gate > since):
            due.append(year)
        elif compared is not None and check is not None:
            verdicts[year] = (revision, check.status)
    if due:
        verdicts |= _compare(settings, due, run_id)
    return [(year, revision) for year, (revision, status) in sorted(verdicts.items()) if status == OUT_OF_DATE]


def _compare(settings: Settings, years: list[str], run_id: str) -> dict[str, tuple[str, str]]:
    from exports.pack import PackError, PackOptions, latest_is_current  # pandas: only when comparing

    pause_point("pack-check", settings.data_dir)  # after the snapshot's swap, before any verdict
    options = PackOptions(**pack_settings(settings), run_id=run_id, code_version="")
    verdicts: dict[str, tuple[str, str]] = {}
    for year in years:
        try:
            found = latest_is_current(settings.published_path, year, settings.exports_dir, options)
        except PackError:  # the snapshot's gate for the year failed: no pack could be written now
            continue
        if found is not None:
            verdicts[year] = (found[0], CURRENT if found[1] else OUT_OF_DATE)
    with write_connection(settings) as con:
        for year, (revision, status) in verdicts.items():
            run_state.record(con, PACK_STAGE, {year: revision}, status=status, run_id=run_id)
    return verdicts


def _produced_at(manifest: dict) -> dt.datetime | None:
    """The manifest's time as the naive UTC that ops.stage_state records."""
    try:
        produced = dt.datetime.fromisoformat(str(manifest["produced_at"]))
    except (KeyError, ValueError):
        return None
    return produced.astimezone(dt.UTC).replace(tzinfo=None) if produced.tzinfo else produced
