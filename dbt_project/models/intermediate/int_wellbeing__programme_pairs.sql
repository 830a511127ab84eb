-- One row per programme respondent with a baseline and a follow-up life satisfaction (WB05, WB06).
-- Pairing is by respondent_key (the keyed hash that links a participant's waves) within a survey
-- outside var('wellbeing_population_surveys'): the respondent's earliest baseline answering life
-- satisfaction, and their latest follow-up answering it completed on or after that baseline.
-- A pair belongs to the reporting year of its follow-up (when the change is observed), and to the
-- district of the follow-up response, else of the baseline.
with responses as (
    select * from {{ ref('int_wellbeing__responses_scored') }}
    where not is_population_survey
      and life_satisfaction is not null
      and respondent_key is not null
),

baselines as (
    select
        *,
        row_number() over (partition by survey, respondent_key order by completed_on, response_id) as recency
    from responses
    where wave = 'baseline'
),

first_baseline as (
    select * from baselines where recency = 1
),

follow_ups as (
    select
        follow_up.*,
        row_number() over (
            partition by follow_up.survey, follow_up.respondent_key
            order by follow_up.completed_on desc, follow_up.response_id desc
        ) as recency
    from responses as follow_up
    inner join first_baseline
        on follow_up.survey = first_baseline.survey
        and follow_up.respondent_key = first_baseline.respondent_key
        and follow_up.completed_on >= first_baseline.completed_on
    where follow_up.wave = 'follow_up'
)

select
    first_baseline.survey,
    first_baseline.respondent_key,
    first_baseline.response_id as baseline_response_id,
    follow_ups.response_id as follow_up_response_id,
    first_baseline.completed_on as baseline_on,
    follow_ups.completed_on as follow_up_on,
    follow_ups.reporting_year,
    coalesce(follow_ups.district_code, first_baseline.district_code) as district_code,
    first_baseline.life_satisfaction as baseline_life_satisfaction,
    follow_ups.life_satisfaction as follow_up_life_satisfaction,
    follow_ups.life_satisfaction - first_baseline.life_satisfaction as life_satisfaction_change
from first_baseline
inner join follow_ups
    on first_baseline.survey = follow_ups.survey
    and first_baseline.respondent_key = follow_ups.respondent_key
where follow_ups.recency = 1
