-- Wellbeing metrics per reporting year, for the county and the respondent's district.
--   WB01 mean life satisfaction, WB04 mean SWEMWBS metric score, WB02 % life satisfaction 0-4,
--   WB03 % anxiety 6-10: population-survey responses (var wellbeing_population_surveys).
--   WB05 mean paired change, WB06 WELLBYs and WB06_GBP/WB06_GBP_LOW/WB06_GBP_HIGH their GBP value: programme
--   baseline/follow-up pairs (int_wellbeing__programme_pairs).
-- 95% CI of a mean: mean +/- t(0.975, n-1) * sd / sqrt(n), sample sd, Student's t from seed
-- t_critical_95 (normal 1.96 beyond df 1000). Bands for WB02/WB03 come from seed ons4_thresholds;
-- their 95% CI is the Wilson score interval (macro wilson_low_pct), which stays inside 0-100%.
-- Notes carry no counts: n is in its own column, where disclosure control can mask it.
-- WB06 (Green Book): WELLBYs = mean change x pairs x var wellby_duration_years; the GBP rows
-- multiply by the seed wellby_values estimate (2019 prices, no deflator); their CI is the WB05
-- interval scaled the same way (sampling uncertainty only, not the valuation range).
{%- set valuations = [('WB06_GBP', 'central'), ('WB06_GBP_LOW', 'low'), ('WB06_GBP_HIGH', 'high')] %}
with spine as (
    {{ metric_spine(['WB01', 'WB02', 'WB03', 'WB04', 'WB05', 'WB06'] + valuations | map('first') | list) }}
),

responses as (
    select * from {{ ref('int_wellbeing__responses_scored') }}
    where is_population_survey
),

bands as (
    select * from {{ ref('ons4_thresholds') }}
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
    union all
    select 'WB05', reporting_year, district_code, cast(life_satisfaction_change as {{ type_double() }})
    from {{ ref('int_wellbeing__programme_pairs') }}
),

flags as (
    select 'WB02' as metric_id, responses.reporting_year, responses.district_code,
        case when responses.life_satisfaction between bands.low_score and bands.high_score then 1 else 0 end as in_band
    from responses
    inner join bands on bands.measure = 'life_satisfaction' and bands.band = 'low'
    where responses.life_satisfaction is not null
    union all
    select 'WB03', responses.reporting_year, responses.district_code,
        case when responses.anxiety between bands.low_score and bands.high_score then 1 else 0 end
    from responses
    inner join bands on bands.measure = 'anxiety' and bands.band = 'high'
    where responses.anxiety is not null
),

by_geography as (
    select metric_id, reporting_year, '{{ var("county_code") }}' as geography_code, score, cast(null as integer) as in_band
    from scores
    union all
    select metric_id, reporting_year, district_code, score, null from scores where {{ is_district_row('district_code') }}
    union all
    select metric_id, reporting_year, '{{ var("county_code") }}', null, in_band from flags
    union all
    select metric_id, reporting_year, district_code, null, in_band from flags where {{ is_district_row('district_code') }}
),

summary as (
    select
        metric_id,
        reporting_year,
        geography_code,
        count(*) as n,
        avg(score) as mean_score,
        sum(score) as sum_score,
        stddev_samp(score) as sd_score,
        sum(in_band) as in_band
    from by_geography
    group by metric_id, reporting_year, geography_code
),

with_interval as (
    select
        summary.*,
        case
            when summary.n >= 2 then {{ t_critical_95('summary.n - 1') }} * summary.sd_score / sqrt(summary.n)
        end as half_width
    from summary
),

computed as (
    select metric_id, reporting_year, geography_code, n,
        case when metric_id in ('WB02', 'WB03') then 100 * {{ divide('in_band', 'n') }} else mean_score end as value,
        case when metric_id in ('WB02', 'WB03') then in_band end as numerator,
        case when metric_id in ('WB02', 'WB03') then n end as denominator,
        case when metric_id in ('WB02', 'WB03') then {{ wilson_low_pct('in_band', 'n') }}
            else mean_score - half_width end as ci_low,
        case when metric_id in ('WB02', 'WB03') then {{ wilson_high_pct('in_band', 'n') }}
            else mean_score + half_width end as ci_high,
        cast(null as {{ dbt.type_string() }}) as notes
    from with_interval
    union all
    select 'WB06', reporting_year, geography_code, n,
        mean_score * n * {{ var('wellby_duration_years', 1) }},
        null, null,
        (mean_score - half_width) * n * {{ var('wellby_duration_years', 1) }},
        (mean_score + half_width) * n * {{ var('wellby_duration_years', 1) }},
        'WELLBYs = mean paired change in life satisfaction x pairs (n) x {{ var("wellby_duration_years", 1) }}'
            || ' year(s) assumed duration; {{ gross_wellby_caveat() }}'
    from with_interval
    where metric_id = 'WB05'
    {%- for metric_id, estimate in valuations %}
    union all
    select '{{ metric_id }}', with_interval.reporting_year, with_interval.geography_code, with_interval.n,
        with_interval.mean_score * with_interval.n * {{ var('wellby_duration_years', 1) }} * wellby.value_gbp,
        null, null,
        (with_interval.mean_score - with_interval.half_width) * with_interval.n
            * {{ var('wellby_duration_years', 1) }} * wellby.value_gbp,
        (with_interval.mean_score + with_interval.half_width) * with_interval.n
            * {{ var('wellby_duration_years', 1) }} * wellby.value_gbp,
        'WB06 WELLBYs x GBP ' || {{ format_decimal('wellby.value_gbp', 0) }}
            || ' per WELLBY ({{ estimate }} value, ' || cast(wellby.price_year as {{ dbt.type_string() }})
            || ' prices, no deflator applied); {{ gross_wellby_caveat() }}'
    from with_interval
    inner join {{ ref('wellby_values') }} as wellby on wellby.estimate = '{{ estimate }}'
    where with_interval.metric_id = 'WB05'
    {%- endfor %}
),

resolved as (
    select
        spine.*,
        computed.value,
        computed.numerator,
        computed.denominator,
        computed.n,
        computed.ci_low,
        computed.ci_high,
        case
            when {{ not_collected('wellbeing', 'spine.reporting_year') }} then {{ not_collected_reason('wellbeing', 'spine.reporting_year') }}
            when computed.n is not null then null
            when spine.metric_id = 'WB04'
                then 'no population-survey responses with all 7 SWEMWBS items in the year'
            when spine.metric_id = 'WB03'
                then 'no population-survey responses answering anxiety in the year'
            when spine.metric_id in ('WB01', 'WB02')
                then 'no population-survey responses answering life satisfaction in the year'
            else 'no programme respondents with a baseline and a follow-up answering life satisfaction (follow-up in the year)'
        end as no_data_reason,
        case
            when computed.n = 1 and spine.metric_id not in ('WB02', 'WB03')
                then coalesce(computed.notes || '; ', '') || 'one response: no confidence interval'
            else computed.notes
        end as notes
    from spine
    left join computed
        on spine.metric_id = computed.metric_id
        and spine.reporting_year = computed.reporting_year
        and spine.geography_code = computed.geography_code
)

select {{ metric_output_columns() }}
from resolved
