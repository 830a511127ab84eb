{{ config(meta={"dagster": {"ref": {"name": "metrics"}}}) }}  {#- the Dagster asset check is on metrics -#}
-- Every implemented catalogue metric has a row for every reporting year and geography, and no
-- planned metric has rows.
with expected as (
    select catalogue.metric_id, years.reporting_year, geographies.geography_code
    from {{ ref('metric_catalogue') }} as catalogue
    cross join {{ ref('int_reporting_years') }} as years
    cross join {{ ref('int_geographies') }} as geographies
    where catalogue.status = 'implemented'
),

actual as (
    select metric_id, reporting_year, geography_code from {{ ref('metrics') }}
)

select 'missing' as problem, expected.*
from expected
left join actual
    on expected.metric_id = actual.metric_id
    and expected.reporting_year = actual.reporting_year
    and expected.geography_code = actual.geography_code
where actual.metric_id is null
union all
select 'unexpected' as problem, actual.*
from actual
left join expected
    on expected.metric_id = actual.metric_id
    and expected.reporting_year = actual.reporting_year
    and expected.geography_code = actual.geography_code
where expected.metric_id is null
