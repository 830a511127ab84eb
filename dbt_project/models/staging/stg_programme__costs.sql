-- One row per provider cost return (key: provider, period_start).
-- Staging: rename and cast only (no joins, no filters).
select
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(spend_gbp as decimal(18, 2)) as spend_gbp,
    _source_file,
    _file_sha256,
    _row_number,
    _load_id,
    _loaded_at
from {{ source('raw', 'programme__costs') }}
