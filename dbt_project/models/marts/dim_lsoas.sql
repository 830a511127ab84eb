-- One row per LSOA (2011 geography) of the county with its IMD 2019 rank, decile and quintile.
select
    lsoa_code,
    lsoa_name,
    district_code,
    district_name,
    imd_rank,
    imd_decile,
    cast(floor((imd_decile + 1) / 2) as {{ dbt.type_int() }}) as imd_quintile,
    imd_decile <= 2 as is_deciles_1_2
from {{ ref('lsoa_imd2019') }}
