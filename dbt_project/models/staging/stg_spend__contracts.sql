-- One row per contract (key: contract_ref).
-- Staging: rename and cast only (no joins, no filters).
select
    cast(contract_ref as {{ dbt.type_string() }}) as contract_ref,
    cast({{ declared_anchor_name('anchor') }} as {{ dbt.type_string() }}) as anchor,  -- a renamed anchor's old name follows it
    cast(supplier_ref as {{ dbt.type_string() }}) as supplier_ref,
    cast(awarded_on as date) as awarded_on,
    cast(value_gbp as decimal(18, 2)) as value_gbp,
    cast(social_value_weighting_pct as {{ type_double() }}) as social_value_weighting_pct,
    cast(social_value_committed_gbp as decimal(18, 2)) as social_value_committed_gbp,
    cast(social_value_delivered_gbp as decimal(18, 2)) as social_value_delivered_gbp,
    _source_file,
    _file_sha256,
    _row_number,
    _load_id,
    _loaded_at
from {{ source('raw', 'spend__contracts') }}
