{#- Small SQL helpers shared by the metric models. Portable SQL only. -#}

{#- A percentage num/den*100, null when the denominator is not positive. -#}
{% macro pct(numerator, denominator) -%}
    case when {{ denominator }} > 0 then 100 * {{ divide(numerator, denominator) }} end
{%- endmacro %}


{#- Student's t upper 2.5% point for `df_expr` degrees of freedom (seed t_critical_95, integer df
    1-1000); beyond 1000 the normal 1.959964. A fractional df (Welch) must be floored by the caller. -#}
{% macro t_critical_95(df_expr) -%}
    coalesce(
        (select t_table.t_critical from {{ ref('t_critical_95') }} as t_table where t_table.df = {{ df_expr }}),
        1.959963984540054
    )
{%- endmacro %}
