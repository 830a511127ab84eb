-- A share's parts are sane: numerator and denominator both set or both null, denominator positive
-- where a value is reported, and value = 100 * numerator / denominator.
select metric_id, reporting_year, geography_code, value, numerator, denominator
from {{ ref('metrics') }}
where unit = 'pct'
  and value is not null
  and (numerator is null
       or denominator is null
       or denominator <= 0
       or abs(value - 100.0 * numerator / denominator) > 1e-9)
