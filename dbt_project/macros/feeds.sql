{#- The feeds the partnership collects (impact.toml [feeds], passed by Dagster as vars
    feeds_collected, feed_years and supplier_register). A metric whose feed is not collected in its
    year, or that needs a supplier register the partnership does not provide, is a no-data row with
    a reason a steering group reads as such, never a 0%.

    not_collected(feed, year)        -> SQL boolean: `feed` is not collected in the reporting year
                                        the SQL expression `year` holds (never, or before its
                                        feed_years first year, or after its last)
    not_collected_reason(feed, year) -> SQL string: why such a metric has no data
    no_supplier_register()           -> SQL boolean: no register configured, or none loaded -#}

{% macro feeds_collected() -%}
    {{- return(var('feeds_collected', ['charter', 'programme', 'spend', 'wellbeing'])) -}}
{%- endmacro %}

{% macro feed_years_of(feed) -%}
    {%- set years = var('feed_years', {}).get(feed) or {} -%}
    {{- return((years.get('first'), years.get('last'))) -}}
{%- endmacro %}

{% macro not_collected(feed, year) -%}
    {%- set first, last = feed_years_of(feed) -%}
    {%- if feed not in feeds_collected() -%}
    true
    {%- elif first or last -%}
    ({{ "(" ~ year ~ " < '" ~ first ~ "')" if first else 'false' }} or {{ "(" ~ year ~ " > '" ~ last ~ "')" if last else 'false' }})
    {%- else -%}
    false
    {%- endif -%}
{%- endmacro %}

{% macro not_collected_reason(feed, year) -%}
    {%- set words = {'spend': 'procurement spend', 'programme': 'Social Contract Programme returns',
                     'wellbeing': 'wellbeing surveys', 'charter': 'Charter pledges'} -%}
    {%- set first, last = feed_years_of(feed) -%}
    {%- if feed not in feeds_collected() -%}
    'not collected: the partnership does not collect {{ words[feed] }}'
    {%- elif not (first or last) -%}
    cast(null as {{ dbt.type_string() }})
    {%- else -%}
    case
        {%- if first %}
        when {{ year }} < '{{ first }}' then 'not collected: the partnership collects {{ words[feed] }} from {{ first }}'
        {%- endif %}
        {%- if last %}
        when {{ year }} > '{{ last }}' then 'not collected: the partnership collected {{ words[feed] }} until {{ last }}'
        {%- endif %}
    end
    {%- endif -%}
{%- endmacro %}

{% macro no_supplier_register() -%}
    {#- The calling model depends on the register whatever the vars: dbt's graph, and Dagster's asset
        graph parsed from it once with the default vars, must not change with a partnership. -#}
    {%- do ref('stg_spend__suppliers') -%}
    {%- if var('supplier_register', true) -%}
    not exists (select 1 from {{ ref('stg_spend__suppliers') }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}
