-- One row per reporting year the metrics cover, and whether it is open or closed (a dimension of
-- the metrics and ToC rows: join on reporting_year). A year closes
-- var('reporting_grace_days') days after its last day (impact.toml [reporting] grace_days: late
-- returns still arrive); until then it is open, and its rows in metrics and toc_indicators are
-- provisional: checked to date by the gate, published in the evaluators' snapshot, never in an
-- annual pack. Dagster passes the first open year (var first_open_year), so the dbt build does not
-- depend on the clock.
{%- set first_open = var('first_open_year', none) %}
select
    years.reporting_year,
    years.year_start_on,
    years.year_end_on,
    cast({{ dbt.dateadd('day', var('reporting_grace_days', 61) | int + 1, 'years.year_end_on') }} as date)
        as closes_on,
    {%- if first_open is none or first_open | string | trim == '' %}
    'closed' as status,
    false as is_provisional
    {%- else %}
    case when years.start_year >= {{ parse_reporting_year_label(first_open) }} then 'open' else 'closed' end
        as status,
    years.start_year >= {{ parse_reporting_year_label(first_open) }} as is_provisional
    {%- endif %}
from {{ ref('int_reporting_years') }} as years
