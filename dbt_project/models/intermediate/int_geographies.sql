-- The geographies every metric is reported for: the partnership's whole area (level 'county',
-- impact.toml [area] code and name) and, when the area has more than one local authority, each of
-- them (level 'district'). A single-authority area has no district rows: they would repeat the
-- area's own figures.
-- The ref below is conditional; the graph must not be (Dagster's asset graph is parsed once, with
-- the default vars, and a run's build order must follow it): every area depends on the authorities.
-- depends_on: {{ ref('int_area_local_authorities') }}
select
    'county' as geography_level,
    cast({{ sql_string(var('county_code')) }} as {{ dbt.type_string() }}) as geography_code,
    cast({{ sql_string(var('county_name')) }} as {{ dbt.type_string() }}) as geography_name,
    0 as sort_order
{%- if area_has_sub_areas() %}
union all
select
    'district' as geography_level,
    district_code as geography_code,
    district_name as geography_name,
    row_number() over (order by district_code) as sort_order
from {{ ref('int_area_local_authorities') }}
{%- endif %}
