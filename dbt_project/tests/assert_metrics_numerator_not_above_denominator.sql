-- A percentage's numerator never exceeds its denominator.
select metric_id, reporting_year, geography_code, numerator, denominator
from {{ ref('metrics') }}
where unit = 'pct'
  and numerator is not null
  and denominator is not null
  and numerator > denominator
