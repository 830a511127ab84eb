-- Spellings of the area's local authorities seen in free-text district columns (lower case),
-- mapped to the authority's code: its code, its name, its name with a council suffix, and the
-- irregular spellings of seed district_aliases ("south oxon", "oxford city"). An alias that would
-- name two of the area's authorities is dropped rather than guessed.
with authorities as (
    select district_code, lower(district_name) as name from {{ ref('int_area_local_authorities') }}
),

suffixes as (
    select 'council' as suffix
    union all select 'city council'
    union all select 'district council'
    union all select 'borough council'
    union all select 'metropolitan borough council'
    union all select 'county council'
),

spellings as (
    select lower(district_code) as alias, district_code, 'district code' as source from authorities
    union all
    select name, district_code, 'district name' from authorities
    union all
    select authorities.name || ' ' || suffixes.suffix, authorities.district_code, 'council name'
    from authorities cross join suffixes
    union all
    select lower(trim(seeded.alias)), seeded.district_code, seeded.source
    from {{ ref('district_aliases') }} as seeded
    inner join authorities on seeded.district_code = authorities.district_code
)

select alias, min(district_code) as district_code, min({{ sort_key('source') }}) as source
from spellings
group by alias
having count(distinct district_code) = 1
