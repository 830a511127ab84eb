{#- SQL that differs between the engines the project builds on (DuckDB, PostgreSQL, Spark: spec §9,
    docs/scaling.md), one dispatched macro per construct. Models use these, never the engine's own
    spelling; tests/dbt_project/test_portable_sql.py fails on DuckDB-only syntax anywhere else.
    An engine without an implementation fails at compile time, naming the macro. -#}

{%- macro _not_ported(name) -%}
    {{ exceptions.raise_compiler_error(name ~ " has no implementation for " ~ adapter.type()
        ~ ": add " ~ adapter.type() ~ "__" ~ name ~ " to macros/portable.sql") }}
{%- endmacro %}


{#- The date of integer year, month and day expressions. -#}
{% macro date_from_parts(year, month, day) -%}
    {{ return(adapter.dispatch('date_from_parts', 'impact')(year, month, day)) }}
{%- endmacro %}
{% macro default__date_from_parts(year, month, day) -%}{{ _not_ported('date_from_parts') }}{%- endmacro %}
{% macro duckdb__date_from_parts(year, month, day) -%}
    make_date(cast({{ year }} as integer), cast({{ month }} as integer), cast({{ day }} as integer))
{%- endmacro %}
{% macro postgres__date_from_parts(year, month, day) -%}
    make_date(cast({{ year }} as integer), cast({{ month }} as integer), cast({{ day }} as integer))
{%- endmacro %}
{% macro spark__date_from_parts(year, month, day) -%}
    make_date(cast({{ year }} as int), cast({{ month }} as int), cast({{ day }} as int))
{%- endmacro %}


{#- A number as text with exactly `places` decimals, rounded half away from zero, never in exponent
    form: the same characters on every engine (each prints a double its own way: 13000.0, 13000,
    1.3E4). Rounded from 12 decimals, so a double's last binary digits cannot tip a half. -#}
{% macro format_decimal(expr, places) -%}
    cast(cast(round(cast({{ expr }} as decimal(38, 12)), {{ places }}) as decimal(38, {{ places }})) as {{ dbt.type_string() }})
{%- endmacro %}


{#- numerator / denominator as an 8-byte float on every engine. Left to themselves PostgreSQL divides
    integers to an integer and numerics to a scale of its choosing, Spark divides decimals to 6
    places and DuckDB gives a double: a share or a mean would differ in its last digits, and a
    comparison against a threshold (RAG) could flip. Null when the denominator is null or zero is
    the caller's business (guard with a case). -#}
{% macro divide(numerator, denominator) -%}
    cast({{ numerator }} as {{ type_double() }}) / cast({{ denominator }} as {{ type_double() }})
{%- endmacro %}


{#- A text expression as it sorts bytewise (by code point), whatever the database's collation: a
    PostgreSQL server set up for en_GB sorts 'a' < 'B' < 'b' and puts '_' before letters, where
    DuckDB and Spark compare bytes. For ORDER BY, min and max over free text. -#}
{% macro sort_key(expr) -%}
    {{ return(adapter.dispatch('sort_key', 'impact')(expr)) }}
{%- endmacro %}
{% macro default__sort_key(expr) -%}{{ expr }}{%- endmacro %}
{% macro postgres__sort_key(expr) -%}({{ expr }}) collate "C"{%- endmacro %}


{#- The values of a text expression joined with `separator`, in bytewise order. (dbt.listagg
    ignores its ORDER BY on Spark, and follows the collation on PostgreSQL.) -#}
{% macro joined_in_order(measure, separator) -%}
    {{ return(adapter.dispatch('joined_in_order', 'impact')(measure, separator)) }}
{%- endmacro %}
{% macro default__joined_in_order(measure, separator) -%}{{ _not_ported('joined_in_order') }}{%- endmacro %}
{% macro duckdb__joined_in_order(measure, separator) -%}
    string_agg({{ measure }}, {{ separator }} order by {{ measure }})
{%- endmacro %}
{% macro postgres__joined_in_order(measure, separator) -%}
    string_agg({{ measure }}, {{ separator }} order by {{ measure }} collate "C")
{%- endmacro %}
{% macro spark__joined_in_order(measure, separator) -%}
    array_join(array_sort(collect_list({{ measure }})), {{ separator }})
{%- endmacro %}
