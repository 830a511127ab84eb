-- One row per payment line, classified for the procurement metrics, with lineage.
select * from {{ ref('int_spend__payments_classified') }}
