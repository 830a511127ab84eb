{#- Each row sets exactly one of `columns` (not null): never none of them, never two, e.g. a
    metric row has a value or a reason why not. -#}
{% test exactly_one_set(model, columns) %}
select *
from {{ model }}
where {% for column in columns -%}
    (case when {{ column }} is null then 0 else 1 end){% if not loop.last %} + {% endif %}
{%- endfor %} <> 1
{% endtest %}
