{#- A value with an interval lies inside it: low <= value <= high, and an interval never comes
    without its value. Reversed intervals are left to interval_ordered, so one defect fails one
    test. -#}
{% test within_interval(model, column_name, low, high) %}
select *
from {{ model }}
where {{ low }} is not null
  and {{ high }} is not null
  and {{ low }} <= {{ high }}
  and ({{ column_name }} is null or {{ column_name }} < {{ low }} or {{ column_name }} > {{ high }})
{% endtest %}
