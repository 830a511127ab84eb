-- The geographies every metric is reported for: the county and each of its districts.
select
    'county' as geography_level,
    '{{ var("county_code") }}' as geography_code,
    '{{ var("county_name") }}' as geography_name,
    0 as sort_order
union all
select
    'district' as geography_level,
    district_code as geography_code,
    district_name as geography_name,
    row_number() over (order by district_code) as sort_order
from {{ ref('districts') }}
