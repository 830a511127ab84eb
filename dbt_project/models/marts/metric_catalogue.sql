-- The metric catalogue (seed metric_definitions), one row per metric, implemented or planned.
select
    metric_id,
    name,
    goal,
    family,
    definition,
    numerator,
    denominator,
    unit,
    direction,
    source,
    is_person_count,
    status
from {{ ref('metric_definitions') }}
