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


{#- 95% Wilson score interval of a share, in per cent (0-100): `successes` of `n` trials, z = 1.96.
    Unlike the normal (Wald) interval it stays within 0-100 and is not of zero width at 0% or 100%,
    so a district share of 0 of 40 is shown as 0% (0.0% to 8.8%), not as a fact. The bounds are
    clamped to contain the observed share exactly (floating point can put them a hair inside it). -#}
{% macro wilson_low_pct(successes, n) -%}
    case when {{ n }} > 0 then 100.0 * greatest(0.0, least(
        {{ divide(successes, n) }}, {{ _wilson_bound(successes, n, '-') }})) end
{%- endmacro %}

{% macro wilson_high_pct(successes, n) -%}
    case when {{ n }} > 0 then 100.0 * least(1.0, greatest(
        {{ divide(successes, n) }}, {{ _wilson_bound(successes, n, '+') }})) end
{%- endmacro %}

{#- (p + z^2/2n -/+ z * sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), p = successes/n, every ratio
    through divide() so the engines agree to the last digit. -#}
{% macro _wilson_bound(successes, n, sign) -%}
    {%- set p = '(' ~ divide(successes, n) ~ ')' -%}
    {{ divide(
        p ~ ' + ' ~ divide('1.9207294103470627', n) ~ ' ' ~ sign ~ ' 1.959963984540054 * sqrt('
            ~ divide(p ~ ' * (1.0 - ' ~ p ~ ')', n) ~ ' + ' ~ divide('0.9603647051735313', '(' ~ n ~ ') * (' ~ n ~ ')') ~ ')',
        '1.0 + ' ~ divide('3.8414588206941254', n)) }}
{%- endmacro %}


{#- The caveat every WELLBY figure carries (WB06 and its GBP values), in the notes beside it. -#}
{% macro gross_wellby_caveat() -%}
gross change of paired respondents: no deadweight, attribution, displacement or drop-off applied; not grossed up to non-responders
{%- endmacro %}


{#- The count a note gives of people left out of a share ("12 "), at county level only; '' below
    it, where the count may be small and a note is not a cell that disclosure control can mask.
    `code_column` is the row's geography code (county = var county_code). -#}
{% macro left_out_count(count_expr, code_column='geography_code') -%}
    case when {{ code_column }} = '{{ var("county_code") }}'
        then cast({{ count_expr }} as {{ dbt.type_string() }}) || ' ' else '' end
{%- endmacro %}
