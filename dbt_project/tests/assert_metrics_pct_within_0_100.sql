-- Percentages lie within 0-100.
select metric_id, reporting_year, geography_code, value
from {{ ref('metrics') }}
where unit = 'pct'
  and (value < 0 or value > 100)
