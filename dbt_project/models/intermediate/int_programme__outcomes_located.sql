-- One row per reported outcome, with the reporting year and the participant's district and IMD
-- decile. An outcome whose participant is not in the participants return keeps null geography
-- (it counts for the county only).
with outcomes as (
    select * from {{ ref('stg_programme__outcomes') }}
),

journeys as (
    select * from {{ ref('int_programme__participant_journeys') }}
)

select
    {{ dbt.hash(dbt.concat([
        'outcomes.provider', "'|'", 'outcomes.participant_key', "'|'", 'outcomes.outcome_type', "'|'",
        'cast(outcomes.outcome_on as ' ~ dbt.type_string() ~ ')'
    ])) }} as outcome_id,
    outcomes.provider,
    outcomes.participant_key,
    outcomes.outcome_type,
    outcomes.outcome_on,
    {{ reporting_year('outcomes.outcome_on') }} as reporting_year,
    outcomes.hours_per_week,
    outcomes.hourly_pay_gbp,
    journeys.participant_key is not null as is_participant_known,
    journeys.district_code,
    journeys.lsoa_code,
    journeys.imd_decile,
    journeys.is_deprived_area,
    outcomes._source_file,
    outcomes._row_number,
    outcomes._load_id
from outcomes
left join journeys
    on outcomes.provider = journeys.provider
    and outcomes.participant_key = journeys.participant_key
