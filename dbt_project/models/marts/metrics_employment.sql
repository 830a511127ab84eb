-- Employment metrics (FE01-FE08) per reporting year, for the county and for the district the
-- participant lives in (the return's district, else the district of their LSOA). People with no
-- known district count for the county only, so districts need not sum to the county.
-- FE08 is county only: programme costs are returned per provider, not per district.
-- Notes count the people a share leaves out at county level only: below the county such a count
-- may be small, and the disclosure control of the pack masks cells, not words inside notes.
with spine as (
    {{ metric_spine(['FE01', 'FE02', 'FE03', 'FE04', 'FE05', 'FE06', 'FE07', 'FE08']) }}
),

counts as (
    select * from {{ ref('int_programme__counts_by_geography') }}
),

-- FE08: cost returns whose period starts in the year, and the job starts of those providers
costs as (
    select
        {{ reporting_year('period_start') }} as reporting_year,
        provider,
        sum(spend_gbp) as spend_gbp
    from {{ ref('stg_programme__costs') }}
    group by 1, 2
),

provider_job_starts as (
    select reporting_year, provider, count(*) as job_starts
    from {{ ref('int_programme__job_starts') }}
    group by reporting_year, provider
),

cost_per_start as (
    select
        costs.reporting_year,
        '{{ var("county_code") }}' as geography_code,
        sum(costs.spend_gbp) as spend_gbp,
        sum(coalesce(provider_job_starts.job_starts, 0)) as job_starts,
        count(*) as providers
    from costs
    left join provider_job_starts
        on costs.reporting_year = provider_job_starts.reporting_year
        and costs.provider = provider_job_starts.provider
    group by costs.reporting_year
),

computed as (
    select reporting_year, geography_code, 'FE01' as metric_id,
        cast(participants_enrolled as {{ type_double() }}) as value,
        cast(null as {{ type_double() }}) as numerator, cast(null as {{ type_double() }}) as denominator,
        participants_enrolled as n,
        cast(null as {{ dbt.type_string() }}) as no_data_reason,
        cast(null as {{ dbt.type_string() }}) as notes
    from counts
    union all
    select reporting_year, geography_code, 'FE02',
        {{ pct('participants_deciles_1_2', 'participants_known_decile') }},
        participants_deciles_1_2, participants_known_decile, participants_known_decile,
        case when participants_known_decile = 0
            then 'no participants enrolled in the year with a known county LSOA' end,
        case when participants_enrolled > participants_known_decile
            then {{ left_out_count('participants_enrolled - participants_known_decile') }}
                || 'participants without a known county LSOA are left out' end
    from counts
    union all
    select reporting_year, geography_code, 'FE03',
        job_starts, null, null, job_starts, null, null
    from counts
    union all
    select reporting_year, geography_code, 'FE04',
        case when participants_enrolled > 0 then 100 * {{ divide('job_starts', 'participants_enrolled') }} end,
        job_starts, participants_enrolled, participants_enrolled,
        case when participants_enrolled = 0 then 'no participants enrolled in the year in this geography' end,
        'job starts in the year per 100 participants enrolled in the year (activity ratio; can exceed 100)'
    from counts
    union all
    select reporting_year, geography_code, 'FE05',
        {{ pct('job_starts_sustained_26w', 'job_starts_26w_window_closed') }},
        job_starts_sustained_26w, job_starts_26w_window_closed, job_starts_26w_window_closed,
        case
            when job_starts = 0 then 'no job starts in the year in this geography'
            when job_starts_26w_window_closed = 0
                then 'no job start of the year has reached 26 weeks by the latest outcome date'
        end,
        case when job_starts > job_starts_26w_window_closed
            then {{ left_out_count('job_starts - job_starts_26w_window_closed') }}
                || 'job starts too recent to have reached 26 weeks are left out' end
    from counts
    union all
    select reporting_year, geography_code, 'FE06',
        apprenticeship_starts, null, null, apprenticeship_starts, null, null
    from counts
    union all
    select reporting_year, geography_code, 'FE07',
        {{ pct('job_starts_paid_rlw', 'job_starts_pay_reported') }},
        job_starts_paid_rlw, job_starts_pay_reported, job_starts_pay_reported,
        case
            when job_starts = 0 then 'no job starts in the year in this geography'
            when job_starts_pay_reported = 0 then 'no job start of the year has hourly pay reported'
        end,
        'UK Real Living Wage in force on the outcome date (from its {{ var("rlw_rate_in_force_from", "announced_on") }} date)'
        || case when job_starts > job_starts_pay_reported
            then '; ' || {{ left_out_count('job_starts - job_starts_pay_reported') }}
                || 'job starts without reported pay are left out' else '' end
    from counts
    union all
    select reporting_year, geography_code, 'FE08',
        case when job_starts > 0 then {{ divide('spend_gbp', 'job_starts') }} end,
        null, null, job_starts,
        case when job_starts = 0 then 'no job starts in the year by the providers that returned costs' end,
        'GBP ' || {{ format_decimal('spend_gbp', 2) }} || ' programme cost (periods starting in the year, '
            || cast(providers as {{ dbt.type_string() }}) || ' providers) / '
            || cast(job_starts as {{ dbt.type_string() }}) || ' job starts of those providers'
    from cost_per_start
),

resolved as (
    select
        spine.*,
        computed.value,
        computed.numerator,
        computed.denominator,
        computed.n,
        cast(null as {{ type_double() }}) as ci_low,
        cast(null as {{ type_double() }}) as ci_high,
        case
            when {{ not_collected('programme', 'spine.reporting_year') }} then {{ not_collected_reason('programme', 'spine.reporting_year') }}
            when spine.metric_id = 'FE08' and spine.geography_level = 'district'
                then 'programme costs are returned per provider, not per district'
            when spine.metric_id = 'FE08' and computed.metric_id is null
                then 'no programme cost returns for periods starting in the year'
            when computed.metric_id is null then 'no programme enrolments or outcomes dated in the year'
            else computed.no_data_reason
        end as no_data_reason,
        computed.notes
    from spine
    left join computed
        on spine.metric_id = computed.metric_id
        and spine.reporting_year = computed.reporting_year
        and spine.geography_code = computed.geography_code
)

select {{ metric_output_columns() }}
from resolved
