-- One row per job-start outcome, with what FE05 and FE07 need:
--   sustained 26 weeks: a job_sustained_26w outcome of the same provider and participant counts
--     for their latest job start on or before it (so two starts never share one sustainment);
--     the 26-week window is closed when start + var sustainment_26w_days is on or before the
--     latest outcome date in the feed (younger starts cannot have been sustained yet);
--   Real Living Wage: the UK rate in force on the outcome date (seed real_living_wage_rates; in
--     force from var rlw_rate_in_force_from, announced_on by default) against reported hourly pay.
{%- set in_force_from = var('rlw_rate_in_force_from', 'announced_on') %}
{%- if in_force_from not in ['announced_on', 'implement_by'] %}
    {{ exceptions.raise_compiler_error("rlw_rate_in_force_from must be announced_on or implement_by, got " ~ in_force_from) }}
{%- endif %}
with outcomes as (
    select * from {{ ref('int_programme__outcomes_located') }}
),

job_starts as (
    select * from outcomes where outcome_type = 'job_start'
),

sustainments as (
    select provider, participant_key, outcome_on as sustained_on
    from outcomes
    where outcome_type = 'job_sustained_26w'
),

-- each sustainment attached to the participant's latest job start on or before it
sustainment_owner as (
    select
        job_starts.outcome_id,
        row_number() over (
            partition by sustainments.provider, sustainments.participant_key, sustainments.sustained_on
            order by job_starts.outcome_on desc, job_starts.outcome_id
        ) as recency
    from sustainments
    inner join job_starts
        on sustainments.provider = job_starts.provider
        and sustainments.participant_key = job_starts.participant_key
        and job_starts.outcome_on <= sustainments.sustained_on
),

sustained as (
    select distinct outcome_id from sustainment_owner where recency = 1
),

rates as (
    select
        uk_rate_gbp,
        {{ in_force_from }} as in_force_on,
        lead({{ in_force_from }}) over (order by {{ in_force_from }}) as superseded_on
    from {{ ref('real_living_wage_rates') }}
),

feed_end as (
    select max(outcome_on) as last_outcome_on from outcomes
)

select
    job_starts.outcome_id,
    job_starts.provider,
    job_starts.participant_key,
    job_starts.outcome_on,
    job_starts.reporting_year,
    job_starts.district_code,
    job_starts.imd_decile,
    job_starts.hours_per_week,
    job_starts.hourly_pay_gbp,
    sustained.outcome_id is not null as is_sustained_26w,
    {{ dbt.dateadd('day', var('sustainment_26w_days', 182), 'job_starts.outcome_on') }} <= feed_end.last_outcome_on
        as is_26w_window_closed,
    rates.uk_rate_gbp as rlw_rate_gbp,
    case
        when job_starts.hourly_pay_gbp is not null and rates.uk_rate_gbp is not null
            then job_starts.hourly_pay_gbp >= rates.uk_rate_gbp
    end as is_paid_rlw
from job_starts
cross join feed_end
left join sustained on job_starts.outcome_id = sustained.outcome_id
left join rates
    on job_starts.outcome_on >= rates.in_force_on
    and (rates.superseded_on is null or job_starts.outcome_on < rates.superseded_on)
