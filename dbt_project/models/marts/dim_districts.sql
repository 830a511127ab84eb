-- One row per local authority ("district") of the partnership's area, with its LSOA counts.
with lsoa_counts as (
    select
        district_code,
        count(*) as lsoas,
        sum(case when imd_decile <= 2 then 1 else 0 end) as lsoas_in_deciles_1_2
    from {{ ref('int_area_lsoas') }}
    group by district_code
)

select
    districts.district_code,
    districts.district_name,
    districts.county_code,
    districts.county_name,
    coalesce(lsoa_counts.lsoas, 0) as lsoas,
    coalesce(lsoa_counts.lsoas_in_deciles_1_2, 0) as lsoas_in_deciles_1_2
from {{ ref('int_area_local_authorities') }} as districts
left join lsoa_counts on districts.district_code = lsoa_counts.district_code
