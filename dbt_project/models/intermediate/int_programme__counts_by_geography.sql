-- Programme counts per reporting year and geography (the county, and the participant's district):
-- participants enrolled, job starts, and job starts by residents of IMD deciles 1-2.
-- One row per year x geography of int_geographies for every year the programme has any
-- enrolment or outcome dated in it (zeros are true zeros then); other years have no row.
with journeys as (
    select * from {{ ref('int_programme__participant_journeys') }}
),

job_starts as (
    select * from {{ ref('int_programme__outcomes_located') }}
    where outcome_type = 'job_start'
),

programme_years as (
    select distinct enrolment_year as reporting_year from journeys
    union
    select distinct reporting_year from {{ ref('int_programme__outcomes_located') }}
),

events as (
    select
        enrolment_year as reporting_year,
        district_code,
        1 as enrolled,
        0 as job_start,
        0 as job_start_deciles_1_2,
        0 as job_start_known_decile
    from journeys
    union all
    select
        reporting_year,
        district_code,
        0,
        1,
        case when imd_decile <= 2 then 1 else 0 end,
        case when imd_decile is not null then 1 else 0 end
    from job_starts
),

by_geography as (
    select
        reporting_year, '{{ var("county_code") }}' as geography_code,
        enrolled, job_start, job_start_deciles_1_2, job_start_known_decile
    from events
    union all
    select
        reporting_year, district_code as geography_code,
        enrolled, job_start, job_start_deciles_1_2, job_start_known_decile
    from events
    where district_code is not null
),

totals as (
    select
        reporting_year,
        geography_code,
        sum(enrolled) as participants_enrolled,
        sum(job_start) as job_starts,
        sum(job_start_deciles_1_2) as job_starts_deciles_1_2,
        sum(job_start_known_decile) as job_starts_known_decile
    from by_geography
    group by reporting_year, geography_code
)

select
    programme_years.reporting_year,
    geographies.geography_code,
    coalesce(totals.participants_enrolled, 0) as participants_enrolled,
    coalesce(totals.job_starts, 0) as job_starts,
    coalesce(totals.job_starts_deciles_1_2, 0) as job_starts_deciles_1_2,
    coalesce(totals.job_starts_known_decile, 0) as job_starts_known_decile
from programme_years
cross join {{ ref('int_geographies') }} as geographies
left join totals
    on programme_years.reporting_year = totals.reporting_year
    and geographies.geography_code = totals.geography_code
