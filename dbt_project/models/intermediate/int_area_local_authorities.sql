-- The local authorities making up the partnership's area (impact.toml [area] local_authorities),
-- named as in the IMD edition in use: the sub-areas ("districts") of every breakdown, and the
-- county row's code and name (impact.toml [area] code and name).
select distinct
    district_code,
    district_name,
    cast({{ sql_string(var('county_code')) }} as {{ dbt.type_string() }}) as county_code,
    cast({{ sql_string(var('county_name')) }} as {{ dbt.type_string() }}) as county_name
from {{ ref('int_area_lsoas') }}
