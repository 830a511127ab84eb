-- Every metric row has either a value or a reason why not, never both, never neither.
select metric_id, reporting_year, geography_code, value, no_data_reason
from {{ ref('metrics') }}
where (value is null and no_data_reason is null)
   or (value is not null and no_data_reason is not null)
