-- One row per supplier in the register, classified (county-based, deprived area, SME, ...).
select * from {{ ref('int_spend__suppliers_classified') }}
