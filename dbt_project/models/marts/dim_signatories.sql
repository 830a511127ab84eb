-- One row per Charter signatory, with its district.
select * from {{ ref('int_charter__signatories_located') }}
