{#- The column never exceeds `other` on the same row (rows where either is null are not judged),
    e.g. a share's numerator and its denominator. -#}
{% test not_above_column(model, column_name, other) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and {{ other }} is not null
  and {{ column_name }} > {{ other }}
{% endtest %}
