"""The dbt project as Dagster sees it: one cached DbtProject, the manifest built by `dbt parse`
at build/test time (never on import), and a short rule-based translator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from orchestration.dbt_manifest import DBT_EXECUTABLE, MANIFEST, ensure_manifest  # noqa: F401 - re-exported
from orchestration.dbt_vars import dbt_env, dbt_vars  # noqa: F401 - the one place dbt's vars and env are built
from partnership.config import DBT_PROJECT_DIR

impact_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
assert impact_dbt_project.manifest_path == MANIFEST


# One asset group per dbt layer, so each reads at normal size in the UI (one `warehouse` group of
# ~50 nodes did not): reference data (seeds), staging, intermediate, and the marts in two, the
# facts and dimensions (fct_, dim_) and the metrics built on them (metrics, ToC indicators, ...).
DBT_GROUPS = ("reference", "staging", "intermediate", "facts", "metrics")


class ImpactDbtTranslator(DagsterDbtTranslator):
    """Models keep their names as keys; groups follow the flow; sources bind to ingest assets."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(
            enable_asset_checks=True, enable_source_tests_as_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        meta = dbt_resource_props.get("meta", {}).get("dagster", {})
        if meta.get("asset_key"):
            return AssetKey(meta["asset_key"])
        return AssetKey(dbt_resource_props["name"])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "ingest"
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        layer = dbt_resource_props.get("fqn", [None, None])[1]  # models/<layer>/...
        if layer != "marts":
            return layer if layer in DBT_GROUPS else "metrics"
        return "facts" if dbt_resource_props["name"].startswith(("fct_", "dim_")) else "metrics"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return ["team:data-stewards"]
