{#- An 8-byte float. dbt.type_float() gives FLOAT, which DuckDB reads as 4-byte REAL. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'impact')()) }}
{%- endmacro %}

{% macro default__type_double() -%} double precision {%- endmacro %}
{% macro spark__type_double() -%} double {%- endmacro %}
{% macro trino__type_double() -%} double {%- endmacro %}
