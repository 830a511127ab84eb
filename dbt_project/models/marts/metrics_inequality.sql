-- Inequality metrics (IN02) per reporting year, for the county and the participant's district.
-- IN02's denominator is the job starts whose participant has a known home LSOA in the county
-- (so a known IMD decile); the notes say how many job starts that leaves out.
with spine as (
    {{ metric_spine(['IN02']) }}
),

counts as (
    select * from {{ ref('int_programme__counts_by_geography') }}
),

resolved as (
    select
        spine.*,
        {{ pct('counts.job_starts_deciles_1_2', 'counts.job_starts_known_decile') }} as value,
        counts.job_starts_deciles_1_2 as numerator,
        counts.job_starts_known_decile as denominator,
        counts.job_starts_known_decile as n,
        cast(null as {{ type_double() }}) as ci_low,
        cast(null as {{ type_double() }}) as ci_high,
        case
            when counts.reporting_year is null then 'no programme enrolments or outcomes dated in the year'
            when counts.job_starts_known_decile = 0
                then 'no job starts by participants with a known home LSOA in the year'
        end as no_data_reason,
        case
            when counts.job_starts > counts.job_starts_known_decile
                then cast(counts.job_starts - counts.job_starts_known_decile as {{ dbt.type_string() }})
                    || ' job starts without a known home LSOA are left out'
        end as notes
    from spine
    left join counts
        on spine.reporting_year = counts.reporting_year
        and spine.geography_code = counts.geography_code
)

select {{ metric_output_columns() }}
from resolved
