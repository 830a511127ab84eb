{#- The column equals the same-named column of the row of `to` with the same `key`, e.g. a metric
    row's unit is its catalogue entry's unit. Rows without a match are the relationships test's
    business. -#}
{% test matches_column_of(model, column_name, to, key) %}
select here.*, there.{{ column_name }} as expected_{{ column_name }}
from {{ model }} as here
inner join {{ to }} as there on here.{{ key }} = there.{{ key }}
where here.{{ column_name }} <> there.{{ column_name }}
   or (here.{{ column_name }} is null) <> (there.{{ column_name }} is null)
{% endtest %}
