-- A confidence interval surrounds its value, and comes as a pair.
select metric_id, reporting_year, geography_code, ci_low, value, ci_high
from {{ ref('metrics') }}
where (ci_low is null) <> (ci_high is null)
   or (ci_low is not null and (value is null or ci_low > value or value > ci_high))
