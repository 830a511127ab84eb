{#- Run-start and run-end hooks (dbt_project.yml) that only an engine other than DuckDB needs
    (orchestration/engines/). On DuckDB and PostgreSQL they render to nothing.

    Spark: the raw tables arrive as Parquet folders (IMPACT_SPARK_RAW_LOCATION/<table>, written from
    the working DuckDB file) and are registered as tables over them before anything builds; after the
    build the tables of the published schemas are written as Parquet to
    IMPACT_SPARK_EXPORT_LOCATION/<schema>/<table>, from where the working file takes them back. -#}

{% macro register_raw_tables() -%}
    {{ return(adapter.dispatch('register_raw_tables', 'impact')()) }}
{%- endmacro %}
{% macro default__register_raw_tables() -%}{%- endmacro %}
{% macro spark__register_raw_tables() -%}
    {%- set location = env_var('IMPACT_SPARK_RAW_LOCATION', '') -%}
    {%- if execute and location -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for source in graph.sources.values() if source.source_name == 'raw' -%}
            {%- do run_query('drop table if exists raw.' ~ source.identifier) -%}
            {%- do run_query('create table raw.' ~ source.identifier ~ " using parquet location '"
                             ~ location ~ '/' ~ source.identifier ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{% macro export_built_tables(schemas) -%}
    {{ return(adapter.dispatch('export_built_tables', 'impact')(schemas)) }}
{%- endmacro %}
{% macro default__export_built_tables(schemas) -%}{%- endmacro %}
{% macro spark__export_built_tables(schemas) -%}
    {%- set location = env_var('IMPACT_SPARK_EXPORT_LOCATION', '') -%}
    {%- if execute and location -%}
        {%- for node in graph.nodes.values()
              if node.resource_type in ('model', 'seed') and node.schema in schemas
                 and node.config.materialized != 'view' and node.config.enabled -%}
            {%- do run_query("insert overwrite directory '" ~ location ~ '/' ~ node.schema ~ '/' ~ node.alias
                             ~ "' using parquet select * from " ~ node.schema ~ '.' ~ node.alias) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
