{{ config(meta={"dagster": {"ref": {"name": "metrics"}}}) }}  {#- the Dagster asset check is on metrics -#}
-- WB06's GBP rows are WB06 WELLBYs x the seed value per WELLBY (central, low, high), row by row,
-- interval bounds included; and the low value never exceeds the central, nor the central the high
-- when WELLBYs are positive.
with wellbys as (
    select reporting_year, geography_code, value, ci_low, ci_high
    from {{ ref('metrics') }}
    where metric_id = 'WB06'
),

valued as (
    select metrics.metric_id, metrics.reporting_year, metrics.geography_code, metrics.value, metrics.ci_low,
        metrics.ci_high, wellby.value_gbp
    from {{ ref('metrics') }} as metrics
    inner join {{ ref('wellby_values') }} as wellby
        on (metrics.metric_id = 'WB06_GBP' and wellby.estimate = 'central')
        or (metrics.metric_id = 'WB06_GBP_LOW' and wellby.estimate = 'low')
        or (metrics.metric_id = 'WB06_GBP_HIGH' and wellby.estimate = 'high')
)

select valued.*, wellbys.value as wellbys
from valued
inner join wellbys
    on valued.reporting_year = wellbys.reporting_year and valued.geography_code = wellbys.geography_code
where (valued.value is null) <> (wellbys.value is null)
   or abs(valued.value - wellbys.value * valued.value_gbp) > 1e-6
   or abs(valued.ci_low - wellbys.ci_low * valued.value_gbp) > 1e-6
   or abs(valued.ci_high - wellbys.ci_high * valued.value_gbp) > 1e-6
