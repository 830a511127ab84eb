-- All metrics in long form (docs/architecture.md): one row per implemented metric x reporting
-- year x geography (county and districts). A row without data has value null and a
-- no_data_reason. Unit and direction come from the metric catalogue. Adding a metric: a row in
-- seed metric_definitions, the family model computing it, and a test.
{%- set families = ['metrics_procurement', 'metrics_employment', 'metrics_wellbeing',
                    'metrics_inequality', 'metrics_partnership'] %}
with family_rows as (
    {% for family in families -%}
    select * from {{ ref(family) }}
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}
)

select
    family_rows.metric_id,
    family_rows.reporting_year,
    family_rows.geography_level,
    family_rows.geography_code,
    family_rows.geography_name,
    family_rows.value,
    family_rows.numerator,
    family_rows.denominator,
    family_rows.n,
    family_rows.ci_low,
    family_rows.ci_high,
    catalogue.unit,
    catalogue.direction,
    family_rows.no_data_reason,
    family_rows.notes
from family_rows
inner join {{ ref('metric_catalogue') }} as catalogue
    on family_rows.metric_id = catalogue.metric_id
