-- One row per reporting year the metrics cover: every year from the earliest to the latest event
-- date in any feed (gaps filled so trends have no holes), plus var('reporting_year') when Dagster
-- asks for a partition. An empty warehouse falls back to the current reporting year so that the
-- metrics still carry their no-data rows.
{%- set requested = var('reporting_year', none) %}
with event_dates as (
    select payment_date as event_on from {{ ref('stg_spend__payments') }}
    union all
    select enrolled_on from {{ ref('stg_programme__participants') }}
    union all
    select outcome_on from {{ ref('stg_programme__outcomes') }}
    union all
    select completed_on from {{ ref('stg_wellbeing__responses') }}
    union all
    select signed_on from {{ ref('stg_charter__signatories') }}
    union all
    select update_on from {{ ref('stg_charter__pledge_updates') }}
),

candidate_years as (
    select distinct {{ reporting_year_start_year('event_on') }} as start_year
    from event_dates
    where event_on is not null
    {%- if requested is not none and requested | string | trim != '' %}
    union all
    select {{ parse_reporting_year_label(requested) }} as start_year
    {%- endif %}
),

all_years as (
    select start_year from candidate_years
    union all
    select {{ reporting_year_start_year('current_date') }} as start_year
    where not exists (select 1 from candidate_years)
),

bounds as (
    select min(start_year) as first_year, max(start_year) as last_year from all_years
),

series as (
    {{ dbt.generate_series(50) }}
),

spine as (
    select cast(bounds.first_year + series.generated_number - 1 as {{ dbt.type_int() }}) as start_year
    from bounds
    cross join series
    where bounds.first_year + series.generated_number - 1 <= bounds.last_year
)

select
    {{ reporting_year_label('start_year') }} as reporting_year,
    start_year,
    {{ reporting_year_start_date('start_year') }} as year_start_on,
    cast({{ dbt.dateadd('day', -1, reporting_year_start_date('start_year + 1')) }} as date) as year_end_on,
    {{ reporting_year_start_date('start_year + 1') }} as next_year_start_on
from spine
