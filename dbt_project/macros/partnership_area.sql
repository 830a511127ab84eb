{#- The partnership's area and anchors, from vars that the orchestration builds from impact.toml
    (orchestration/dbt.py dbt_vars). Portable SQL only: string and boolean literals, union all. -#}

{#- A SQL string literal for a configured value (names may hold apostrophes): doubled quotes, or on
    Spark, whose literals take backslash escapes, escaped quotes and backslashes. -#}
{% macro sql_string(value) -%}
    {%- set text = value | string -%}
    {%- if target.type == 'spark' -%}{%- set text = text.replace('\\', '\\\\') -%}{%- endif -%}
    {{ dbt.string_literal(dbt.escape_single_quotes(text)) }}
{%- endmacro %}


{#- `column` with every spelling of a declared anchor (its name and aliases, case and surrounding
    spaces aside) read as the anchor's name: rows stored under a name since made an alias (an anchor
    renamed in the configuration) follow the anchor. -#}
{% macro declared_anchor_name(column) -%}
    {%- set spellings = {} -%}
    {%- for anchor in var('anchors', []) -%}
        {%- for spelling in [anchor['name']] + (anchor.get('aliases') or []) -%}
            {%- do spellings.update({spelling | lower | trim: anchor['name']}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if spellings | length == 0 -%}
    {{ column }}
    {%- else -%}
    case lower(trim({{ column }}))
        {%- for spelling, name in spellings.items() %}
        when {{ sql_string(spelling) }} then {{ sql_string(name) }}
        {%- endfor %}
        else {{ column }}
    end
    {%- endif -%}
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
