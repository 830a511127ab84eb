-- Programme counts per reporting year and geography (the county, and the participant's district):
-- enrolments (with their IMD deciles), job starts (deciles, 26-week sustainment, Real Living Wage)
-- and apprenticeship starts. One row per year x geography of int_geographies for every year the
-- programme has any enrolment or outcome dated in it (zeros are true zeros then); other years
-- have no row.
with journeys as (
    select * from {{ ref('int_programme__participant_journeys') }}
),

outcomes as (
    select * from {{ ref('int_programme__outcomes_located') }}
),

job_starts as (
    select * from {{ ref('int_programme__job_starts') }}
),

programme_years as (
    select distinct enrolment_year as reporting_year from journeys
    union
    select distinct reporting_year from outcomes
),

events as (
    select
        enrolment_year as reporting_year,
        district_code,
        1 as enrolled,
        case when imd_decile <= 2 then 1 else 0 end as enrolled_deciles_1_2,
        case when imd_decile is not null then 1 else 0 end as enrolled_known_decile,
        0 as job_start,
        0 as job_start_deciles_1_2,
        0 as job_start_known_decile,
        0 as job_start_26w_window_closed,
        0 as job_start_sustained_26w,
        0 as job_start_pay_reported,
        0 as job_start_paid_rlw,
        0 as apprenticeship_start
    from journeys
    union all
    select
        reporting_year,
        district_code,
        0, 0, 0,
        1,
        case when imd_decile <= 2 then 1 else 0 end,
        case when imd_decile is not null then 1 else 0 end,
        case when is_26w_window_closed then 1 else 0 end,
        case when is_26w_window_closed and is_sustained_26w then 1 else 0 end,
        case when is_paid_rlw is not null then 1 else 0 end,
        case when is_paid_rlw then 1 else 0 end,
        0
    from job_starts
    union all
    select reporting_year, district_code, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    from outcomes
    where outcome_type = 'apprenticeship_start'
),

by_geography as (
    select '{{ var("county_code") }}' as geography_code, events.* from events
    union all
    select district_code as geography_code, events.* from events where {{ is_district_row('district_code') }}
),

totals as (
    select
        reporting_year,
        geography_code,
        sum(enrolled) as participants_enrolled,
        sum(enrolled_deciles_1_2) as participants_deciles_1_2,
        sum(enrolled_known_decile) as participants_known_decile,
        sum(job_start) as job_starts,
        sum(job_start_deciles_1_2) as job_starts_deciles_1_2,
        sum(job_start_known_decile) as job_starts_known_decile,
        sum(job_start_26w_window_closed) as job_starts_26w_window_closed,
        sum(job_start_sustained_26w) as job_starts_sustained_26w,
        sum(job_start_pay_reported) as job_starts_pay_reported,
        sum(job_start_paid_rlw) as job_starts_paid_rlw,
        sum(apprenticeship_start) as apprenticeship_starts
    from by_geography
    group by reporting_year, geography_code
)

select
    programme_years.reporting_year,
    geographies.geography_code,
    coalesce(totals.participants_enrolled, 0) as participants_enrolled,
    coalesce(totals.participants_deciles_1_2, 0) as participants_deciles_1_2,
    coalesce(totals.participants_known_decile, 0) as participants_known_decile,
    coalesce(totals.job_starts, 0) as job_starts,
    coalesce(totals.job_starts_deciles_1_2, 0) as job_starts_deciles_1_2,
    coalesce(totals.job_starts_known_decile, 0) as job_starts_known_decile,
    coalesce(totals.job_starts_26w_window_closed, 0) as job_starts_26w_window_closed,
    coalesce(totals.job_starts_sustained_26w, 0) as job_starts_sustained_26w,
    coalesce(totals.job_starts_pay_reported, 0) as job_starts_pay_reported,
    coalesce(totals.job_starts_paid_rlw, 0) as job_starts_paid_rlw,
    coalesce(totals.apprenticeship_starts, 0) as apprenticeship_starts
from programme_years
cross join {{ ref('int_geographies') }} as geographies
left join totals
    on programme_years.reporting_year = totals.reporting_year
    and geographies.geography_code = totals.geography_code
