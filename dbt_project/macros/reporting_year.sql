{#-
  Reporting years. A reporting year starts on day 1 of var('reporting_year_start_month') (4 = UK
  financial year) and is identified by the calendar year it starts in (`start_year`, an integer)
  and labelled '2024-25' (or '2025' when the year starts in January).

    reporting_year(date_expr)              -> label of the year containing the date
    reporting_year_start_year(date_expr)   -> integer start year of that year
    reporting_year_label(start_year_expr)  -> label from an integer start year
    reporting_year_start_date(start_year_expr) -> first day of the year (a date)

  The label and the date go through adapter.dispatch (macros/portable.sql for the date), so the
  project builds on DuckDB, PostgreSQL and Spark alike (spec §9, docs/scaling.md).
-#}

{% macro reporting_year_start_month() -%}
    {%- set month = var('reporting_year_start_month', 4) | int -%}
    {%- if month < 1 or month > 12 -%}
        {{ exceptions.raise_compiler_error("reporting_year_start_month must be 1..12, got " ~ month) }}
    {%- endif -%}
    {{ return(month) }}
{%- endmacro %}


{% macro reporting_year_start_year(date_expr) -%}
    {%- set month = reporting_year_start_month() -%}
    {%- if month == 1 -%}
    cast(extract(year from {{ date_expr }}) as {{ dbt.type_int() }})
    {%- else -%}
    cast(case
        when extract(month from {{ date_expr }}) >= {{ month }} then extract(year from {{ date_expr }})
        else extract(year from {{ date_expr }}) - 1
    end as {{ dbt.type_int() }})
    {%- endif -%}
{%- endmacro %}


{% macro reporting_year_label(start_year_expr) -%}
    {{ return(adapter.dispatch('reporting_year_label', 'impact')(start_year_expr)) }}
{%- endmacro %}

{% macro default__reporting_year_label(start_year_expr) -%}
    {%- if reporting_year_start_month() == 1 -%}
    cast({{ start_year_expr }} as {{ dbt.type_string() }})
    {%- else -%}
    {{ dbt.concat([
        "cast(" ~ start_year_expr ~ " as " ~ dbt.type_string() ~ ")",
        "'-'",
        "substr(cast((" ~ start_year_expr ~ ") + 1 as " ~ dbt.type_string() ~ "), 3, 2)"
    ]) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__reporting_year_label(start_year_expr) -%}
    {%- if reporting_year_start_month() == 1 -%}
    printf('%d', {{ start_year_expr }})
    {%- else -%}
    printf('%d-%02d', {{ start_year_expr }}, (({{ start_year_expr }}) + 1) % 100)
    {%- endif -%}
{%- endmacro %}


{% macro reporting_year(date_expr) -%}
    {{ reporting_year_label(reporting_year_start_year(date_expr)) }}
{%- endmacro %}


{% macro reporting_year_start_date(start_year_expr) -%}
    {{ date_from_parts(start_year_expr, reporting_year_start_month(), 1) }}
{%- endmacro %}


{#- The start year of a label given at compile time ('2024-25' -> 2024), for var('reporting_year'). -#}
{% macro parse_reporting_year_label(label) -%}
    {%- set text = label | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}(-[0-9]{2})?$', text) -%}
        {{ exceptions.raise_compiler_error("reporting_year must look like 2024-25 or 2025, got '" ~ text ~ "'") }}
    {%- endif -%}
    {{ return(text[:4] | int) }}
{%- endmacro %}
