{{ config(meta={"dagster": {"ref": {"name": "metrics"}}}) }}  {#- the Dagster asset check is on metrics -#}
-- District figures add up to the county for the counts: every record counted for the county is
-- counted in exactly one district, or has no resolvable district. So for FE01, FE03, FE06, PO01
-- and PO02: county value = sum of district values + records without a district. (Shares, means and
-- distinct counts are not additive; procurement metrics are county-only.)
with years as (
    select * from {{ ref('int_reporting_years') }}
),

without_district as (
    select 'FE01' as metric_id, enrolment_year as reporting_year, count(*) as records
    from {{ ref('int_programme__participant_journeys') }}
    where district_code is null
    group by enrolment_year
    union all
    select 'FE03', reporting_year, count(*)
    from {{ ref('int_programme__job_starts') }}
    where district_code is null
    group by reporting_year
    union all
    select 'FE06', reporting_year, count(*)
    from {{ ref('int_programme__outcomes_located') }}
    where outcome_type = 'apprenticeship_start' and district_code is null
    group by reporting_year
    union all
    select 'PO01', years.reporting_year, count(*)
    from years
    inner join {{ ref('int_charter__signatories_located') }} as signatories
        on signatories.signed_on < years.next_year_start_on
    where signatories.district_code is null
    group by years.reporting_year
    union all
    select 'PO02', reporting_year, count(*)
    from {{ ref('int_charter__pledge_status_at_year_end') }}
    where is_active and district_code is null
    group by reporting_year
),

metrics as (
    select * from {{ ref('metrics') }}
    where metric_id in ('FE01', 'FE03', 'FE06', 'PO01', 'PO02')
),

county as (
    select metric_id, reporting_year, value from metrics where geography_level = 'county' and value is not null
),

districts as (
    select metric_id, reporting_year, sum(coalesce(value, 0)) as district_total
    from metrics
    where geography_level = 'district'
    group by metric_id, reporting_year
)

select county.metric_id, county.reporting_year, county.value, districts.district_total,
    coalesce(without_district.records, 0) as records_without_district
from county
left join districts
    on county.metric_id = districts.metric_id and county.reporting_year = districts.reporting_year
left join without_district
    on county.metric_id = without_district.metric_id and county.reporting_year = without_district.reporting_year
where county.value <> coalesce(districts.district_total, 0) + coalesce(without_district.records, 0)
    and {{ 'true' if area_has_sub_areas() else 'false' }}  -- a single-authority area has no district rows
