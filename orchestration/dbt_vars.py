"""dbt's vars from impact.toml: the one path from a partnership's settings to dbt.

Its own module, free of Dagster and dbt imports: `impact run` reads the vars on every run (they are
part of what a build is fingerprinted by), and most runs build nothing."""

from __future__ import annotations

from typing import Any

from orchestration.config import Settings, today
from orchestration.reporting_years import first_open_year


def dbt_vars(settings: Settings) -> dict[str, Any]:
    """Every dbt var a partnership sets, from its settings: the one path from impact.toml to dbt.
    dbt_project.yml holds the same names with Oxfordshire's values as documented defaults."""
    return {
        "reporting_year_start_month": settings.reporting.year_start_month,
        "county_code": settings.area.code,
        "county_name": settings.area.name,
        "area_local_authorities": list(settings.area.local_authorities),
        "imd_edition": settings.reference.imd_edition,
        "anchors": [{"name": a.name, "in_area": a.in_area} for a in settings.anchors],
        "wellbeing_population_surveys": list(settings.metrics.wellbeing_population_surveys),
        "rlw_rate_in_force_from": settings.metrics.rlw_rate_in_force_from,
        "wellby_duration_years": settings.metrics.wellby_duration_years,
        "rag_amber_tolerance": settings.toc.rag.amber_tolerance,
        "toc_small_base_n": settings.toc.small_base_n,
        "suppression_threshold": settings.disclosure.suppression_threshold,
        # [feeds]: a metric whose feed is not collected, or that needs the missing supplier
        # register, is a no-data row that says so (never 0%).
        "feeds_collected": list(settings.feeds.collected),
        "supplier_register": settings.feeds.supplier_register,
        # [reporting] grace_days: years from first_open_year on are open (provisional); it changes
        # once a year, when a year closes.
        "first_open_year": first_open_year(settings.reporting.year_start_month, settings.reporting.grace_days,
                                           today()),
        "reporting_grace_days": settings.reporting.grace_days,
    }
