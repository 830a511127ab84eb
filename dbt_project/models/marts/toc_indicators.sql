-- Theory of Change indicators (spec §5): one row per indicator of the framework in use x reporting
-- year, with the county value of the linked metric as the actual, and its 95% interval where the
-- metric has one (survey means and shares, paired change, the quintile gap).
-- RAG: grey            - no actual, no baseline/target, or a year before the baseline year;
--      no_clear_change - the actual's interval contains the baseline: the data cannot tell a change
--                        from sampling noise, so neither green nor red is called;
--      green - on or ahead of the straight line from baseline (baseline year) to target (target
--              year): share_of_way_to_target >= expected share of time elapsed - var rag_amber_tolerance,
--              and, where there is an interval, the interval clears that line (trajectory_value);
--      amber - improving on the baseline (in the desired direction) but behind that line, or ahead of
--              it only within the interval;
--      red   - not improving on the baseline (where there is an interval: the whole interval is on
--              the worse side of the baseline).
-- A target equal to the baseline (hold the line) is green when not worse than the baseline, else red.
-- Thresholds are configuration: var rag_amber_tolerance (impact.toml [toc.rag]) and var
-- toc_small_base_n (data-quality flag). `source` cites the document the indicator comes from.
-- Seed toc_framework holds the framework in use: the shipped one (Oxfordshire's), or the
-- partnership's own (impact.toml [toc] framework) written over it (macro toc_framework_replace).
with framework as (
    select * from {{ ref('toc_framework') }}
),

years as (
    select * from {{ ref('int_reporting_years') }}
),

county_metrics as (
    select metric_id, reporting_year, value, n, ci_low, ci_high, no_data_reason
    from {{ ref('metrics') }}
    where geography_level = 'county'
),

catalogue as (
    select metric_id, family, status from {{ ref('metric_catalogue') }}
),

joined as (
    select
        framework.indicator_id,
        framework.working_group,
        framework.toc_level,
        framework.indicator_name,
        framework.metric_id,
        years.reporting_year,
        years.start_year,
        county_metrics.value as actual,
        county_metrics.ci_low,
        county_metrics.ci_high,
        county_metrics.n,
        county_metrics.no_data_reason,
        catalogue.status as metric_status,
        catalogue.family as metric_family,
        framework.baseline_year,
        framework.baseline_value,
        framework.target_year,
        framework.target_value,
        framework.direction,
        framework.source,
        framework.values_note,
        cast(substr(framework.baseline_year, 1, 4) as {{ dbt.type_int() }}) as baseline_start_year,
        cast(substr(framework.target_year, 1, 4) as {{ dbt.type_int() }}) as target_start_year
    from framework
    cross join years
    left join catalogue on framework.metric_id = catalogue.metric_id
    left join county_metrics
        on framework.metric_id = county_metrics.metric_id
        and years.reporting_year = county_metrics.reporting_year
),

measured as (
    select
        joined.*,
        actual - baseline_value as change_since_baseline,
        case
            when target_value <> baseline_value
                then {{ divide('actual - baseline_value', 'target_value - baseline_value') }}
        end as share_of_way_to_target,
        case
            when target_start_year > baseline_start_year
                then least(1.0, {{ divide('start_year - baseline_start_year', 'target_start_year - baseline_start_year') }})
            else 1.0
        end as expected_share
    from joined
),

lined as (
    select
        measured.*,
        -- the straight line from baseline to target at this year, less the amber tolerance
        baseline_value + (expected_share - {{ var('rag_amber_tolerance', 0) }}) * (target_value - baseline_value)
            as trajectory_value,
        ci_low is not null and ci_high is not null and ci_low <= baseline_value and baseline_value <= ci_high
            as interval_holds_baseline
    from measured
)

select
    indicator_id,
    working_group,
    toc_level,
    indicator_name,
    metric_id,
    reporting_year,
    cast(actual as {{ type_double() }}) as actual,
    cast(ci_low as {{ type_double() }}) as actual_ci_low,
    cast(ci_high as {{ type_double() }}) as actual_ci_high,
    baseline_year,
    cast(baseline_value as {{ type_double() }}) as baseline_value,
    target_year,
    cast(target_value as {{ type_double() }}) as target_value,
    cast(case when actual is not null and start_year >= baseline_start_year then trajectory_value end
        as {{ type_double() }}) as trajectory_value,
    direction,
    cast(change_since_baseline as {{ type_double() }}) as change_since_baseline,
    cast(share_of_way_to_target as {{ type_double() }}) as share_of_way_to_target,
    case
        when actual is null or baseline_value is null or target_value is null then 'grey'
        when start_year < baseline_start_year then 'grey'
        when interval_holds_baseline then 'no_clear_change'
        when target_value = baseline_value then
            case
                when (direction = 'up' and actual >= baseline_value)
                    or (direction = 'down' and actual <= baseline_value) then 'green'
                else 'red'
            end
        when share_of_way_to_target >= expected_share - {{ var('rag_amber_tolerance', 0) }}
            and (ci_low is null or ci_high is null or trajectory_value < ci_low or trajectory_value > ci_high)
            then 'green'
        when (direction = 'up' and actual > baseline_value)
            or (direction = 'down' and actual < baseline_value) then 'amber'
        else 'red'
    end as rag_status,
    case
        when metric_status = 'planned' then 'metric not yet computed (planned)'
        when actual is null then 'no data: ' || coalesce(no_data_reason, 'no value')
        when start_year < baseline_start_year then 'year before the baseline year'
        when metric_family in ('employment', 'wellbeing', 'inequality') and n < {{ var('toc_small_base_n', 10) }}
            then 'small base (n < {{ var("toc_small_base_n", 10) }} people or responses): treat with caution'
        else 'ok'
    end as data_quality,
    source,
    values_note
from lined
