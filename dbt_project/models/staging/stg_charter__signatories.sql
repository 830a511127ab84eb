-- One row per Charter signatory (key: organisation_id).
-- Staging: rename and cast only (no joins, no filters).
select
    cast(organisation_id as {{ dbt.type_string() }}) as organisation_id,
    cast(organisation_name as {{ dbt.type_string() }}) as organisation_name,
    cast(sector as {{ dbt.type_string() }}) as sector,
    cast(size_band as {{ dbt.type_string() }}) as size_band,
    cast(district as {{ dbt.type_string() }}) as district_text,
    cast(lsoa_code as {{ dbt.type_string() }}) as lsoa_code,
    cast(postcode_outward as {{ dbt.type_string() }}) as postcode_outward,
    cast(signed_on as date) as signed_on,
    cast(anchor_institution as boolean) as anchor_institution,
    _source_file,
    _file_sha256,
    _row_number,
    _load_id,
    _loaded_at
from {{ source('raw', 'charter__signatories') }}
