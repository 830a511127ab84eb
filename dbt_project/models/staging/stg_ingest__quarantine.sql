-- One row per value that broke a feed contract.
-- Staging: rename and cast only.
select
    cast(load_id as varchar) as load_id,
    cast(feed as varchar) as feed,
    cast(entity as varchar) as entity,
    cast(source_file as varchar) as source_file,
    cast(file_sha256 as varchar) as file_sha256,
    cast(row_number as integer) as row_number,
    cast(column_name as varchar) as column_name,
    cast(raw_value as varchar) as raw_value,
    cast(reason as varchar) as reason,
    quarantined_at
from {{ source('raw', 'quarantine') }}
