{#- Small SQL helpers shared by the metric models. Portable SQL only. -#}

{#- A percentage num/den*100, null when the denominator is not positive. -#}
{% macro pct(numerator, denominator) -%}
    case when {{ denominator }} > 0 then 100.0 * {{ numerator }} / {{ denominator }} end
{%- endmacro %}
