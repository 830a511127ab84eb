-- One row per LSOA of the partnership's area with its IMD rank, decile and quintile (the configured IMD edition; 2019: LSOA 2011 geography).
select
    lsoa_code,
    lsoa_name,
    district_code,
    district_name,
    imd_rank,
    imd_decile,
    cast(floor({{ divide('imd_decile + 1', 2) }}) as {{ dbt.type_int() }}) as imd_quintile,
    imd_decile <= 2 as is_deciles_1_2
from {{ ref('int_area_lsoas') }}
