-- The LSOAs of the partnership's area: the rows of the national IMD seed of the configured edition
-- (var imd_edition) whose local authority is one of the area's (var area_local_authorities, from
-- impact.toml [area]). Every area-dependent figure (districts, deciles 1-2, quintiles, "based in
-- the area") joins this model, never the national seed, so a person or supplier outside the area
-- has no district and no decile here.
select
    lsoa_code,
    lsoa_name,
    la_code as district_code,
    la_name as district_name,
    imd_rank,
    imd_decile
from {{ imd_seed() }}
where la_code in ({{ area_local_authority_list() }})
