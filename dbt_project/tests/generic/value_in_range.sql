{#- Every value of the column lies between min_value and max_value (either bound optional,
    both inclusive); nulls are not judged. Narrow it with the test's `where` config, e.g. the
    percentages only (unit = 'pct'). Our own: no dbt_utils offline. -#}
{% test value_in_range(model, column_name, min_value=none, max_value=none) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and (
    {%- if min_value is not none %} {{ column_name }} < {{ min_value }}{% endif %}
    {%- if min_value is not none and max_value is not none %} or{% endif %}
    {%- if max_value is not none %} {{ column_name }} > {{ max_value }}{% endif %}
  )
{% endtest %}
