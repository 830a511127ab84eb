-- One row per supplier in the register (key: supplier_ref).
-- Staging: rename and cast only (no joins, no filters).
select
    cast(supplier_ref as {{ dbt.type_string() }}) as supplier_ref,
    cast(supplier_name as {{ dbt.type_string() }}) as supplier_name,
    cast(company_number as {{ dbt.type_string() }}) as company_number,
    cast(lsoa_code as {{ dbt.type_string() }}) as lsoa_code,
    cast(district_code as {{ dbt.type_string() }}) as district_code,
    cast(postcode_outward as {{ dbt.type_string() }}) as postcode_outward,
    cast(is_sme as boolean) as is_sme,
    cast(organisation_type as {{ dbt.type_string() }}) as organisation_type,
    cast(real_living_wage_employer as boolean) as is_real_living_wage_employer,
    cast(carbon_reduction_plan as boolean) as has_carbon_reduction_plan,
    _source_file,
    _file_sha256,
    _row_number,
    _load_id,
    _loaded_at
from {{ source('raw', 'spend__suppliers') }}
