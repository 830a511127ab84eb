-- One row per Charter signatory with its district resolved from the free-text district column
-- (name or code, via seed district_aliases). The charter feed's postcode is not looked up at ingest,
-- so a signatory that gave only a postcode has no district and counts for the county only.
select
    signatories.organisation_id,
    signatories.organisation_name,
    signatories.sector,
    signatories.size_band,
    signatories.district_text,
    aliases.district_code,
    signatories.signed_on,
    {{ reporting_year('signatories.signed_on') }} as signed_in_year,
    coalesce(signatories.anchor_institution, false) as is_anchor_institution
from {{ ref('stg_charter__signatories') }} as signatories
left join {{ ref('district_aliases') }} as aliases
    on lower(trim(signatories.district_text)) = aliases.alias
