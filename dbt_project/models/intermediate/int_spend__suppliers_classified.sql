-- One row per supplier in the register, with the classifications the procurement metrics use.
-- County-based (based in the partnership's area): the supplier's postcode lies in one of the area's
-- LSOAs (int_area_lsoas) or, when the lookup gave a local authority but no LSOA of the area, in one
-- of the area's local authorities. IMD decile: of the area's LSOAs only.
with suppliers as (
    select * from {{ ref('stg_spend__suppliers') }}
),

lsoas as (
    select * from {{ ref('int_area_lsoas') }}
),

districts as (
    select * from {{ ref('int_area_local_authorities') }}
)

select
    suppliers.supplier_ref,
    suppliers.supplier_name,
    suppliers.company_number,
    suppliers.lsoa_code,
    coalesce(lsoas.district_code, suppliers.district_code) as district_code,
    suppliers.postcode_outward,
    suppliers.organisation_type,
    lsoas.imd_decile,
    (lsoas.lsoa_code is not null or districts.district_code is not null) as is_county_based,
    coalesce(lsoas.imd_decile <= 2, false) as is_deprived_area,
    coalesce(suppliers.is_sme, false) as is_sme,
    coalesce(
        suppliers.organisation_type in ('vcse', 'social_enterprise', 'cooperative', 'employee_owned'),
        false
    ) as is_social_economy,
    coalesce(suppliers.is_real_living_wage_employer, false) as is_real_living_wage_employer,
    coalesce(suppliers.has_carbon_reduction_plan, false) as has_carbon_reduction_plan
from suppliers
left join lsoas on suppliers.lsoa_code = lsoas.lsoa_code
left join districts on suppliers.district_code = districts.district_code
