{#- An interval [column_name, high] comes as a pair (both ends set or neither) and its low end is
    not above its high end (a width of zero or more). -#}
{% test interval_ordered(model, column_name, high) %}
select *
from {{ model }}
where ({{ column_name }} is null and {{ high }} is not null)
   or ({{ column_name }} is not null and {{ high }} is null)
   or {{ column_name }} > {{ high }}
{% endtest %}
