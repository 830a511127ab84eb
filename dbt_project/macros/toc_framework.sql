-- The Theory of Change framework in use (spec §5): the partnership's own indicators when impact.toml
-- [toc] framework names a file (var toc_framework: its rows, checked by partnership/toc_framework.py),
-- else seed toc_framework, the framework shipped with the product. Same columns and types either way.
-- A model calling this keeps `-- depends_on: {{ ref('toc_framework') }}`: the graph is the same for
-- every partnership.
{% macro toc_framework_rows() -%}
{%- set rows = var('toc_framework', []) -%}
{%- if rows | length == 0 -%}
    select * from {{ ref('toc_framework') }}
{%- else -%}
{%- for row in rows %}
    select
        {%- for column in ['indicator_id', 'working_group', 'toc_level', 'indicator_name', 'metric_id', 'baseline_year'] %}
        {{ _toc_text(row[column]) }} as {{ column }},
        {%- endfor %}
        {{ _toc_number(row['baseline_value']) }} as baseline_value,
        {{ _toc_text(row['target_year']) }} as target_year,
        {{ _toc_number(row['target_value']) }} as target_value,
        {{ _toc_text(row['direction']) }} as direction,
        {{ _toc_text(row['source']) }} as source,
        {{ _toc_text(row['values_note']) }} as values_note
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- endif %}
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
