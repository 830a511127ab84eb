-- One row per participant (provider, participant_key): where they live (district, LSOA, IMD
-- decile) and what the programme recorded for them. District: the return's district column
-- (name or code, via int_district_aliases), else the district of the LSOA.
with participants as (
    select * from {{ ref('stg_programme__participants') }}
),

outcomes as (
    select * from {{ ref('stg_programme__outcomes') }}
),

outcome_summary as (
    select
        provider,
        participant_key,
        count(*) as outcomes_reported,
        sum(case when outcome_type = 'job_start' then 1 else 0 end) as job_starts,
        min(case when outcome_type = 'job_start' then outcome_on end) as first_job_start_on,
        max(case when outcome_type = 'job_sustained_26w' then 1 else 0 end) = 1 as has_job_sustained_26w
    from outcomes
    group by provider, participant_key
)

select
    participants.provider,
    participants.participant_key,
    participants.enrolled_on,
    {{ reporting_year('participants.enrolled_on') }} as enrolment_year,
    participants.lsoa_code,
    coalesce(aliases.district_code, lsoas.district_code) as district_code,
    lsoas.imd_decile,
    lsoas.imd_decile <= 2 as is_deprived_area,
    participants.age_band,
    participants.gender,
    participants.ethnic_group,
    participants.is_disabled,
    participants.is_uc_claimant,
    participants.barriers,
    coalesce(outcome_summary.outcomes_reported, 0) as outcomes_reported,
    coalesce(outcome_summary.job_starts, 0) as job_starts,
    outcome_summary.first_job_start_on,
    coalesce(outcome_summary.has_job_sustained_26w, false) as has_job_sustained_26w,
    participants._source_file,
    participants._row_number,
    participants._load_id
from participants
left join {{ ref('int_area_lsoas') }} as lsoas
    on participants.lsoa_code = lsoas.lsoa_code
left join {{ ref('int_district_aliases') }} as aliases
    on lower(trim(participants.district_text)) = aliases.alias
left join outcome_summary
    on participants.provider = outcome_summary.provider
    and participants.participant_key = outcome_summary.participant_key
