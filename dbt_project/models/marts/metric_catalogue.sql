-- The metric catalogue (seed), one row per metric of spec §4, implemented or planned.
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
