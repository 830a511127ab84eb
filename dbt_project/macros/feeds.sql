{#- The feeds the partnership collects (impact.toml [feeds], passed by Dagster as var
    feeds_collected and var supplier_register). A metric whose feed is not collected, or that needs
    a supplier register the partnership does not provide, is a no-data row with a reason a steering
    group reads as such, never a 0%.

    not_collected(feed)        -> SQL boolean: the partnership does not collect `feed`
    not_collected_reason(feed) -> SQL string: why such a metric has no data
    no_supplier_register()     -> SQL boolean: no register configured, or none loaded -#}

{% macro not_collected(feed) -%}
    {%- set collected = var('feeds_collected', ['charter', 'programme', 'spend', 'wellbeing']) -%}
    {{ 'false' if feed in collected else 'true' }}
{%- endmacro %}

{% macro not_collected_reason(feed) -%}
    {%- set words = {'spend': 'procurement spend', 'programme': 'Social Contract Programme returns',
                     'wellbeing': 'wellbeing surveys', 'charter': 'Charter pledges'} -%}
    'not collected: the partnership does not collect {{ words[feed] }}'
{%- endmacro %}

{% macro no_supplier_register() -%}
    {%- if var('supplier_register', true) -%}
    not exists (select 1 from {{ ref('stg_spend__suppliers') }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}
