"""On a fresh clone nothing has parsed the dbt project: `impact run` plans its build from the
manifest's graph, so planning parses the project first instead of failing on a missing file (the
first `make demo` on a new machine did)."""

from orchestration import build_plan
from orchestration.dbt_manifest import MANIFEST


def test_planning_a_build_parses_the_project_when_the_manifest_is_missing():
    kept = MANIFEST.with_name("manifest.kept.json")
    if MANIFEST.exists():
        MANIFEST.rename(kept)
    build_plan._graph.cache_clear()
    try:
        models = build_plan.all_models()
        assert MANIFEST.is_file()
        assert {"metrics", "toc_indicators", "stg_spend__payments"} <= set(models)
        assert "metrics" in build_plan.downstream_of({"raw.spend__payments"})
    finally:
        build_plan._graph.cache_clear()
        kept.unlink(missing_ok=True)
