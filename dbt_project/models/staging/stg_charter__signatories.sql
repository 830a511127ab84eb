-- One row per Charter signatory (key: organisation_id).
-- Staging: rename and cast only (no joins, no filters).
select
    cast(organisation_id as varchar) as organisation_id,
    cast(organisation_name as varchar) as organisation_name,
    cast(sector as varchar) as sector,
    cast(size_band as varchar) as size_band,
    cast(district as varchar) as district_text,
    cast(lsoa_code as varchar) as lsoa_code,
    cast(postcode_outward as varchar) as postcode_outward,
    cast(signed_on as date) as signed_on,
    cast(anchor_institution as boolean) as anchor_institution,
    _source_file,
    _file_sha256,
    _row_number,
    _load_id,
    _loaded_at
from {{ source('raw', 'charter__signatories') }}
