-- Wellbeing metrics (WB01 mean life satisfaction, WB04 mean SWEMWBS metric score) per reporting
-- year, for the county and the respondent's district, from population-survey responses
-- (var wellbeing_population_surveys). 95% CI: mean +/- t(0.975, n-1) * sd / sqrt(n), with the
-- sample standard deviation and Student's t from seed t_critical_95 (normal 1.96 beyond df 1000).
-- n counts responses answering the item (WB04: responses with all 7 SWEMWBS items).
with spine as (
    {{ metric_spine(['WB01', 'WB04']) }}
),

responses as (
    select * from {{ ref('int_wellbeing__responses_scored') }}
    where is_population_survey
),

scores as (
    select 'WB01' as metric_id, reporting_year, district_code,
        cast(life_satisfaction as {{ type_double() }}) as score
    from responses
    where life_satisfaction is not null
    union all
    select 'WB04', reporting_year, district_code, cast(swemwbs_metric_score as {{ type_double() }})
    from responses
    where swemwbs_metric_score is not null
),

by_geography as (
    select metric_id, reporting_year, '{{ var("county_code") }}' as geography_code, score from scores
    union all
    select metric_id, reporting_year, district_code, score from scores where district_code is not null
),

summary as (
    select
        metric_id,
        reporting_year,
        geography_code,
        count(*) as n,
        avg(score) as mean_score,
        stddev_samp(score) as sd_score
    from by_geography
    group by metric_id, reporting_year, geography_code
),

with_interval as (
    select
        summary.*,
        case
            when summary.n >= 2
                then coalesce(t.t_critical, 1.959963984540054) * summary.sd_score / sqrt(summary.n)
        end as half_width
    from summary
    left join {{ ref('t_critical_95') }} as t
        on t.df = summary.n - 1
),

resolved as (
    select
        spine.*,
        with_interval.mean_score as value,
        cast(null as {{ type_double() }}) as numerator,
        cast(null as {{ type_double() }}) as denominator,
        with_interval.n,
        with_interval.mean_score - with_interval.half_width as ci_low,
        with_interval.mean_score + with_interval.half_width as ci_high,
        case
            when with_interval.n is null and spine.metric_id = 'WB04'
                then 'no population-survey responses with all 7 SWEMWBS items in the year'
            when with_interval.n is null
                then 'no population-survey responses answering life satisfaction in the year'
        end as no_data_reason,
        case
            when with_interval.n = 1 then 'one response: no confidence interval'
        end as notes
    from spine
    left join with_interval
        on spine.metric_id = with_interval.metric_id
        and spine.reporting_year = with_interval.reporting_year
        and spine.geography_code = with_interval.geography_code
)

select {{ metric_output_columns() }}
from resolved
