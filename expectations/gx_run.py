"""Running one suite with GX 1.x on a pandas frame, and reading its results in plain words.

The context is file-backed, so suites, validation results and Data Docs persist for the steward.
An exception GX catches inside an expectation comes back as `exception` on the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlparse

import great_expectations as gx
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.metadata_types import FailureSeverity

from expectations.suites.check import Check, SuiteSpec

_MAX_CONCERNS = 50


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    expectation: str  # plain words
    severity: Literal["error", "warning"]
    passed: bool
    observed: str
    expected: str
    concerns: tuple[str, ...] = ()  # e.g. "PP02/district/E07000178"
    exception: str | None = None



def file_context(gx_dir: Path) -> Any:
    gx_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", context_root_dir=gx_dir)
    bars = context.variables.progress_bars  # an object when fresh, a dict once read back
    if (bars.get("globally") if isinstance(bars, dict) else getattr(bars, "globally", None)) in (
        None, True
    ):
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.save()
    return context


def _batch_definition(context: Any, asset_name: str) -> Any:
    names = {d.name for d in context.data_sources.all().values()}
    source = (
        context.data_sources.get("marts") if "marts" in names
        else context.data_sources.add_pandas(name="marts")
    )
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(name=asset_name)
    try:
        return asset.get_batch_definition("whole_frame")
    except LookupError:
        return asset.add_batch_definition_whole_dataframe("whole_frame")


def suite_name(spec: SuiteSpec, year: str) -> str:
    return f"{spec.name}__{year}"


def run_suite(context: Any, spec: SuiteSpec, year: str) -> list[ExpectationOutcome]:
    name = suite_name(spec, year)
    suite = gx.ExpectationSuite(name=name)
    by_key: dict[str, Check] = {}
    for i, check in enumerate(spec.checks):
        key = f"{i:02d} {check.name}"
        by_key[key] = check
        expectation = check.expectation
        expectation.severity = (
            FailureSeverity.WARNING if check.severity == "warning" else FailureSeverity.CRITICAL
        )
        expectation.meta = {**(expectation.meta or {}), "check": key, "severity": check.severity}
        suite.add_expectation(expectation)
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=_batch_definition(context, spec.name), suite=suite)
    )
    index_columns = sorted({c for ch in spec.checks for c in ch.concern_columns} & set(spec.frame))
    result_format: dict[str, Any] = {"result_format": "COMPLETE"}
    if index_columns:
        result_format["unexpected_index_column_names"] = index_columns
    validation = definition.run(
        batch_parameters={"dataframe": spec.frame}, result_format=result_format
    )
    outcomes = []
    for r in validation.results:
        check = by_key[r.expectation_config.meta["check"]]
        exception = _exception_message(r.exception_info)
        outcomes.append(
            ExpectationOutcome(
                suite=spec.name,
                expectation=check.name,
                severity=check.severity,
                passed=bool(r.success) and exception is None,
                observed=f"exception: {exception}" if exception else _observed(r.result),
                expected=check.expected,
                concerns=_concerns(r.result, check.concern_columns),
                exception=exception,
            )
        )
    # GX returns results grouped by domain, not in suite order; keep the suite's order
    order = {c.name: i for i, c in enumerate(spec.checks)}
    return sorted(outcomes, key=lambda o: order[o.expectation])


def _exception_message(info: Any) -> str | None:
    """GX reports exceptions either flat or keyed by the metric that raised; find any of them."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "exception without a message")
    for nested in info.values():
        message = _exception_message(nested)
        if message:
            return message
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _observed(result: dict[str, Any]) -> str:
    if "observed_value" in result:
        return str(_plain(result["observed_value"]))
    if "unexpected_count" in result:
        sample = _plain(result.get("partial_unexpected_list") or [])[:10]
        text = f"{result['unexpected_count']} of {result.get('element_count')} rows unexpected"
        return f"{text}: {sample}" if sample else text
    return ""


def _concerns(result: dict[str, Any], columns: tuple[str, ...]) -> tuple[str, ...]:
    rows = result.get("unexpected_index_list") or []
    concerns = []
    for row in rows[:_MAX_CONCERNS]:
        if isinstance(row, dict):
            concerns.append("/".join(str(_plain(row[c])) for c in columns if c in row))
        else:
            concerns.append(f"row {row}")
    if len(rows) > _MAX_CONCERNS:
        concerns.append(f"... and {len(rows) - _MAX_CONCERNS} more")
    return tuple(concerns)


def build_docs(context: Any, suites: set[str]) -> Path | None:
    """Data Docs: the pages of `suites` (names) and of their latest validation results, and the
    site's index. Every gate stores new results, and rendering every stored result again each time
    grew with the runs: 0.6 s for the 18 results of a first run, 2.5 s for 234 (a year of monthly
    runs), where this gate's pages and the index took 0.25 s and 0.6 s. A site without an index
    (new, or removed by hand) is built whole, so no earlier result lacks its page. Returns the
    index's path."""
    index = docs_index(context)  # None until the site's first build
    if index is None or not index.exists():
        context.build_data_docs()
        return docs_index(context)
    latest: dict[str, Any] = {}
    for key in context.validation_results_store.list_keys():
        name = key.expectation_suite_identifier.name
        run_time = key.run_id.to_tuple()[1]  # e.g. 20261201T231026.016884Z: sorts as it reads
        if name in suites and (name not in latest or run_time > latest[name].run_id.to_tuple()[1]):
            latest[name] = key
    pages = [k for k in context.expectations_store.list_keys() if k.name in suites]
    context.build_data_docs(resource_identifiers=pages + list(latest.values()))
    return index


def docs_index(context: Any) -> Path | None:
    for site in context.get_docs_sites_urls():
        url = site.get("site_url")
        if url and url.startswith("file://"):
            return Path(unquote(urlparse(url).path))
    return None
