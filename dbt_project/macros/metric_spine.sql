{#- Every (metric, reporting year, geography) a metrics model must emit a row for: the metrics
    of the family x int_reporting_years x int_geographies (county + districts). -#}
{% macro metric_spine(metric_ids) -%}
    select
        metric_ids.metric_id,
        years.reporting_year,
        years.start_year,
        years.next_year_start_on,
        geographies.geography_level,
        geographies.geography_code,
        geographies.geography_name,
        geographies.sort_order
    from (
        {% for metric_id in metric_ids -%}
        select '{{ metric_id }}' as metric_id
        {% if not loop.last %}union all
        {% endif %}
        {%- endfor %}
    ) as metric_ids
    cross join {{ ref('int_reporting_years') }} as years
    cross join {{ ref('int_geographies') }} as geographies
{%- endmacro %}


{#- The final columns of a metrics family model, from a CTE `resolved` that has the spine columns,
    value, numerator, denominator, n, ci_low, ci_high, no_data_reason and notes. A row with a
    no_data_reason carries no value. -#}
{% macro metric_output_columns() -%}
    metric_id,
    reporting_year,
    geography_level,
    geography_code,
    geography_name,
    cast(case when no_data_reason is null then value end as {{ type_double() }}) as value,
    cast(case when no_data_reason is null then numerator end as {{ type_double() }}) as numerator,
    cast(case when no_data_reason is null then denominator end as {{ type_double() }}) as denominator,
    cast(case when no_data_reason is null then n end as {{ dbt.type_bigint() }}) as n,
    cast(case when no_data_reason is null then ci_low end as {{ type_double() }}) as ci_low,
    cast(case when no_data_reason is null then ci_high end as {{ type_double() }}) as ci_high,
    cast(no_data_reason as {{ dbt.type_string() }}) as no_data_reason,
    cast(notes as {{ dbt.type_string() }}) as notes
{%- endmacro %}
