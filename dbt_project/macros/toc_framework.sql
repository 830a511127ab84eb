-- The Theory of Change framework in use (spec §5): seed toc_framework is the framework shipped with
-- the product (Oxfordshire's); when impact.toml [toc] framework names the partnership's own file,
-- its rows (var toc_framework, checked by partnership/toc_framework.py) replace the seed's in the
-- same table, by this post-hook of the seed (dbt_project.yml). The seed's data tests, the
-- toc_indicators mart and the published reference.toc_framework then all hold the framework in use.
{% macro toc_framework_replace() -%}
    {%- set rows = var('toc_framework', []) -%}
    {%- if rows | length > 0 -%}
        {%- if target.type == 'spark' -%}
    insert overwrite table {{ this }} {{ toc_framework_rows(rows) }}
        {%- else -%}
    delete from {{ this }};
    insert into {{ this }} {{ toc_framework_rows(rows) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro toc_framework_rows(rows) -%}
{%- set columns = ['indicator_id', 'working_group', 'toc_level', 'indicator_name', 'metric_id', 'baseline_year',
                   'baseline_value', 'target_year', 'target_value', 'direction', 'source', 'values_note'] -%}
{%- for row in rows %}
    select
        {%- for column in columns %}
        {{ _toc_number(row[column]) if column in ('baseline_value', 'target_value') else _toc_text(row[column]) }}
            as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- endmacro %}

{% macro _toc_text(value) -%}
    {%- if value is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        cast({{ sql_string(value) }} as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{% macro _toc_number(value) -%}
    {%- if value is none -%}
        cast(null as {{ type_double() }})
    {%- else -%}
        cast({{ value | float }} as {{ type_double() }})
    {%- endif -%}
{%- endmacro %}
