"""dbt's vars and environment from impact.toml: the one path from a partnership's settings to dbt.

Its own module, free of Dagster and dbt imports: `impact run` reads the vars and the engine on every
run (they are part of what a build is fingerprinted by, `build_settings`), and most runs build nothing."""

from __future__ import annotations

from typing import Any

from partnership.config import Settings, today
from partnership.reporting_years import first_open_year


def dbt_vars(settings: Settings) -> dict[str, Any]:
    """Every dbt var a partnership sets, from its settings: the one path from impact.toml to dbt.
    dbt_project.yml holds the same names with Oxfordshire's values as documented defaults."""
    return {
        "reporting_year_start_month": settings.reporting.year_start_month,
        "county_code": settings.area.code,
        "county_name": settings.area.name,
        "area_local_authorities": list(settings.area.local_authorities),
        "imd_edition": settings.reference.imd_edition,
        # aliases: rows stored under an anchor's former name (now an alias) follow it (staging)
        "anchors": [{"name": a.name, "in_area": a.in_area, "aliases": list(a.aliases)} for a in settings.anchors],
        "wellbeing_population_surveys": list(settings.metrics.wellbeing_population_surveys),
        "rlw_rate_in_force_from": settings.metrics.rlw_rate_in_force_from,
        "wellby_duration_years": settings.metrics.wellby_duration_years,
        "rag_amber_tolerance": settings.toc.rag.amber_tolerance,
        "toc_small_base_n": settings.toc.small_base_n,
        # [toc] framework: the partnership's own indicators; empty, the shipped framework (seed)
        "toc_framework": settings.toc_indicators,
        "suppression_threshold": settings.disclosure.suppression_threshold,
        # [feeds]: a metric whose feed is not collected, or that needs the missing supplier
        # register, is a no-data row that says so (never 0%).
        "feeds_collected": list(settings.feeds.collected),
        # a feed collected from a later year, or no longer: its metrics read "not collected" outside
        "feed_years": {feed: {"first": settings.feeds.first_year.get(feed), "last": settings.feeds.last_year.get(feed)}
                       for feed in sorted(set(settings.feeds.first_year) | set(settings.feeds.last_year))},
        "supplier_register": settings.feeds.supplier_register,
        # [reporting] grace_days: years from first_open_year on are open (provisional); it changes
        # once a year, when a year closes.
        "first_open_year": first_open_year(settings.reporting.year_start_month, settings.reporting.grace_days,
                                           today()),
        "reporting_grace_days": settings.reporting.grace_days,
    }


def dbt_env(settings: Settings) -> dict[str, str]:
    """The environment a dbt process needs for the configured engine (impact.toml [warehouse]):
    profiles.yml's target and connection, the one path from impact.toml to dbt's profile, as
    dbt_vars is to its vars. Secrets are read from the variables the configuration names."""
    from orchestration.engines import engine_env

    return {"IMPACT_WAREHOUSE_PATH": str(settings.warehouse_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            **engine_env(settings)}


def build_settings(settings: Settings) -> dict[str, Any]:
    """What a dbt build is made from besides the project's files (orchestration/build_plan.py): its
    vars, and the engine it builds in with that engine's connection (no secret: the password is
    read from a variable only at build time). A change of either means a full build: the models a
    partial build leaves alone must exist in the engine it builds in."""
    from orchestration.engines import dbt_target

    engine = settings.warehouse.engine
    connection = {} if engine == "duckdb" else getattr(settings.warehouse, engine).model_dump()
    return {"vars": dbt_vars(settings), "target": dbt_target(settings), "connection": connection}
