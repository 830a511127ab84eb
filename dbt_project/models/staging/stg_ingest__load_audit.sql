-- One row per file load attempt (loaded | replaced | superseded | refused | loading; see ingest/warehouse.py).
-- Staging: rename and cast only.
select
    cast(load_id as {{ dbt.type_string() }}) as load_id,
    cast(feed as {{ dbt.type_string() }}) as feed,
    cast(entity as {{ dbt.type_string() }}) as entity,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(file_sha256 as {{ dbt.type_string() }}) as file_sha256,
    cast(publisher as {{ dbt.type_string() }}) as publisher,
    cast(status as {{ dbt.type_string() }}) as load_status,
    cast(message as {{ dbt.type_string() }}) as message,
    cast(rows_read as integer) as rows_read,
    cast(rows_loaded as integer) as rows_loaded,
    cast(rows_quarantined as integer) as rows_quarantined,
    cast(rows_skipped_footer as integer) as rows_skipped_footer,
    cast(columns_dropped as {{ dbt.type_string() }}) as columns_dropped,
    cast(net_amount_gbp as decimal(18, 2)) as net_amount_gbp,
    loaded_at
from {{ source('raw', 'load_audit') }}
