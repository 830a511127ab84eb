-- One row per Charter signatory with its district resolved from the free-text district column
-- (name or code, via int_district_aliases), else from the LSOA its postcode was looked up to at
-- ingest. A signatory with neither counts for the county only.
select
    signatories.organisation_id,
    signatories.organisation_name,
    signatories.sector,
    signatories.size_band,
    signatories.district_text,
    coalesce(aliases.district_code, lsoas.district_code) as district_code,
    signatories.lsoa_code,
    signatories.signed_on,
    {{ reporting_year('signatories.signed_on') }} as signed_in_year,
    coalesce(signatories.anchor_institution, false) as is_anchor_institution,
    signatories._source_file,
    signatories._row_number,
    signatories._load_id
from {{ ref('stg_charter__signatories') }} as signatories
left join {{ ref('int_district_aliases') }} as aliases
    on lower(trim(signatories.district_text)) = aliases.alias
left join {{ ref('int_area_lsoas') }} as lsoas
    on signatories.lsoa_code = lsoas.lsoa_code
