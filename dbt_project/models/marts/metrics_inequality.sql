-- Inequality metrics per reporting year, for the county and the person's district.
-- IN01: mean life satisfaction of population-survey respondents in IMD 2019 quintile 5 LSOAs
--   (least deprived) minus quintile 1 (most deprived), quintile = ceil(decile / 2) (dim_lsoas).
--   95% Welch interval: gap +/- t(0.975, floor(Welch-Satterthwaite df)) * sqrt(s1^2/n1 + s5^2/n5);
--   n = responses in the SMALLER of the two quintiles: each quintile's mean rests on at least n
--   responses, so the disclosure rule for means (a mean on fewer than the threshold is withheld)
--   applies to both groups the gap is computed from. Each quintile needs 2 or more responses for
--   an interval. Notes give each quintile's mean, and its count at county level only.
-- IN02: denominator is the job starts whose participant has a known home LSOA in the county (so a
--   known IMD decile); the notes say how many job starts that leaves out.
with spine as (
    {{ metric_spine(['IN01', 'IN02']) }}
),

counts as (
    select * from {{ ref('int_programme__counts_by_geography') }}
),

responses as (
    select
        responses.reporting_year,
        responses.district_code,
        lsoas.imd_quintile,
        cast(responses.life_satisfaction as {{ type_double() }}) as score
    from {{ ref('int_wellbeing__responses_scored') }} as responses
    inner join {{ ref('dim_lsoas') }} as lsoas on responses.lsoa_code = lsoas.lsoa_code
    where responses.is_population_survey
      and responses.life_satisfaction is not null
      and lsoas.imd_quintile in (1, 5)
),

by_geography as (
    select reporting_year, '{{ var("county_code") }}' as geography_code, imd_quintile, score from responses
    union all
    select reporting_year, district_code, imd_quintile, score from responses where {{ is_district_row('district_code') }}
),

quintiles as (
    select
        reporting_year,
        geography_code,
        sum(case when imd_quintile = 1 then 1 else 0 end) as n1,
        avg(case when imd_quintile = 1 then score end) as mean1,
        var_samp(case when imd_quintile = 1 then score end) as var1,
        sum(case when imd_quintile = 5 then 1 else 0 end) as n5,
        avg(case when imd_quintile = 5 then score end) as mean5,
        var_samp(case when imd_quintile = 5 then score end) as var5
    from by_geography
    group by reporting_year, geography_code
),

gaps as (
    select
        quintiles.*,
        mean5 - mean1 as gap,
        var1 / n1 + var5 / n5 as se_squared
    from quintiles
    where n1 >= 2 and n5 >= 2
),

welch as (
    select
        gaps.*,
        case when se_squared > 0 then
            floor(se_squared * se_squared
                / ((var1 / n1) * (var1 / n1) / (n1 - 1) + (var5 / n5) * (var5 / n5) / (n5 - 1)))
        end as welch_df
    from gaps
),

with_interval as (
    select
        welch.*,
        case
            when se_squared = 0 then 0
            else {{ t_critical_95('cast(welch.welch_df as integer)') }} * sqrt(se_squared)
        end as half_width
    from welch
),

resolved as (
    select
        spine.*,
        case when spine.metric_id = 'IN01' then with_interval.gap
            else {{ pct('counts.job_starts_deciles_1_2', 'counts.job_starts_known_decile') }} end as value,
        case when spine.metric_id = 'IN02' then counts.job_starts_deciles_1_2 end as numerator,
        case when spine.metric_id = 'IN02' then counts.job_starts_known_decile end as denominator,
        case when spine.metric_id = 'IN01' then least(with_interval.n1, with_interval.n5)
            else counts.job_starts_known_decile end as n,
        case when spine.metric_id = 'IN01' then with_interval.gap - with_interval.half_width end as ci_low,
        case when spine.metric_id = 'IN01' then with_interval.gap + with_interval.half_width end as ci_high,
        case
            when spine.metric_id = 'IN01' and {{ not_collected('wellbeing', 'spine.reporting_year') }} then {{ not_collected_reason('wellbeing', 'spine.reporting_year') }}
            when spine.metric_id = 'IN02' and {{ not_collected('programme', 'spine.reporting_year') }} then {{ not_collected_reason('programme', 'spine.reporting_year') }}
            when spine.metric_id = 'IN01' and quintiles.reporting_year is null
                then 'no population-survey responses answering life satisfaction from IMD quintile 1 or 5 LSOAs in the year in this geography'
            when spine.metric_id = 'IN01' and with_interval.gap is null
                then 'too few population-survey responses from IMD quintile 1 or quintile 5 LSOAs in the year in this geography to compare their means'
            when spine.metric_id = 'IN02' and counts.reporting_year is null
                then 'no programme enrolments or outcomes dated in the year'
            when spine.metric_id = 'IN02' and counts.job_starts_known_decile = 0
                then 'no job starts by participants with a known home LSOA in the year'
        end as no_data_reason,
        case
            when spine.metric_id = 'IN01' and with_interval.gap is not null
                then 'quintile 5 (least deprived) mean ' || {{ format_decimal('with_interval.mean5', 2) }}
                    || case when spine.geography_code = '{{ var("county_code") }}'
                        then ' (n=' || cast(with_interval.n5 as {{ dbt.type_string() }}) || ')' else '' end
                    || ' minus quintile 1 (most deprived) mean ' || {{ format_decimal('with_interval.mean1', 2) }}
                    || case when spine.geography_code = '{{ var("county_code") }}'
                        then ' (n=' || cast(with_interval.n1 as {{ dbt.type_string() }}) || '); Welch df '
                            || coalesce(cast(cast(with_interval.welch_df as {{ dbt.type_int() }}) as {{ dbt.type_string() }}), 'n/a')
                        else '' end
                    || '; n = responses in the smaller quintile; survey results are unweighted'
            when spine.metric_id = 'IN02' and counts.job_starts > counts.job_starts_known_decile
                then {{ left_out_count('counts.job_starts - counts.job_starts_known_decile', 'spine.geography_code') }}
                    || 'job starts without a known home LSOA are left out'
        end as notes
    from spine
    left join counts
        on spine.metric_id = 'IN02'
        and spine.reporting_year = counts.reporting_year
        and spine.geography_code = counts.geography_code
    left join quintiles
        on spine.metric_id = 'IN01'
        and spine.reporting_year = quintiles.reporting_year
        and spine.geography_code = quintiles.geography_code
    left join with_interval
        on spine.metric_id = 'IN01'
        and spine.reporting_year = with_interval.reporting_year
        and spine.geography_code = with_interval.geography_code
)

select {{ metric_output_columns() }}
from resolved
