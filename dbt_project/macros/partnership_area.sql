{#- The partnership's area and anchors, from vars that the orchestration builds from impact.toml
    (orchestration/dbt.py dbt_vars). Portable SQL only: string and boolean literals, union all. -#}

{#- A SQL string literal for a configured value (names may hold apostrophes). -#}
{% macro sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}


{#- The area's local authority codes as a SQL list: 'E07000177', 'E07000178', ... -#}
{% macro area_local_authority_list() -%}
    {%- set codes = var('area_local_authorities') -%}
    {%- if codes is string -%}{%- set codes = [codes] -%}{%- endif -%}
    {%- for code in codes -%}{{ sql_string(code) }}{% if not loop.last %}, {% endif %}{%- endfor -%}
{%- endmacro %}


{#- True when the area has sub-areas to break down by (more than one local authority). -#}
{% macro area_has_sub_areas() -%}
    {%- set codes = var('area_local_authorities') -%}
    {{ return(codes is not string and codes | length > 1) }}
{%- endmacro %}


{#- The condition for a breakdown's district rows, beside its rows for the whole area: a district
    is known and the area has several. A single-authority area has no district rows; when its code
    is the authority's own (a unitary authority), district rows would carry the area's code too and
    count everything twice. -#}
{% macro is_district_row(column) -%}
    {%- if area_has_sub_areas() -%}{{ column }} is not null{%- else -%}1 = 0{%- endif -%}
{%- endmacro %}


{#- The seed of the configured IMD edition (var imd_edition: '2019' -> seed lsoa_imd2019). -#}
{% macro imd_seed() -%}
    {{ return(ref('lsoa_imd' ~ var('imd_edition'))) }}
{%- endmacro %}


{#- The declared anchor institutions (var anchors: name, in_area) as rows (anchor, is_in_area);
    no rows when none are declared. -#}
{% macro declared_anchors() -%}
    {%- set anchors = var('anchors', []) -%}
    {%- if anchors | length == 0 -%}
    select cast(null as {{ dbt.type_string() }}) as anchor, cast(null as {{ dbt.type_boolean() }}) as is_in_area
    where 1 = 0
    {%- else -%}
    {%- for anchor in anchors %}
    select cast({{ sql_string(anchor['name']) }} as {{ dbt.type_string() }}) as anchor,
        {{ 'true' if anchor.get('in_area', true) else 'false' }} as is_in_area
    {%- if not loop.last %}
    union all{% endif %}
    {%- endfor %}
    {%- endif %}
{%- endmacro %}
