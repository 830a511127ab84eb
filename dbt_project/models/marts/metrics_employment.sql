-- Employment metrics (FE01, FE03, FE04) per reporting year, for the county and for the district
-- the participant lives in (the return's district, else the district of their LSOA). People with
-- no known district count for the county only, so districts need not sum to the county.
with spine as (
    {{ metric_spine(['FE01', 'FE03', 'FE04']) }}
),

counts as (
    select * from {{ ref('int_programme__counts_by_geography') }}
),

computed as (
    select reporting_year, geography_code, 'FE01' as metric_id,
        cast(participants_enrolled as {{ type_double() }}) as value,
        cast(null as {{ type_double() }}) as numerator, cast(null as {{ type_double() }}) as denominator,
        participants_enrolled as n,
        cast(null as {{ dbt.type_string() }}) as no_data_reason
    from counts
    union all
    select reporting_year, geography_code, 'FE03',
        job_starts, null, null, job_starts, null
    from counts
    union all
    select reporting_year, geography_code, 'FE04',
        case when participants_enrolled > 0 then 100.0 * job_starts / participants_enrolled end,
        job_starts, participants_enrolled, participants_enrolled,
        case when participants_enrolled = 0 then 'no participants enrolled in the year in this geography' end
    from counts
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
            when computed.metric_id is null then 'no programme enrolments or outcomes dated in the year'
            else computed.no_data_reason
        end as no_data_reason,
        case
            when spine.metric_id = 'FE04'
                then 'job starts in the year per 100 participants enrolled in the year (activity ratio; can exceed 100)'
        end as notes
    from spine
    left join computed
        on spine.metric_id = computed.metric_id
        and spine.reporting_year = computed.reporting_year
        and spine.geography_code = computed.geography_code
)

select {{ metric_output_columns() }}
from resolved
