-- One row per value that broke a feed contract.
-- Staging: rename and cast only.
select
    cast(load_id as {{ dbt.type_string() }}) as load_id,
    cast(feed as {{ dbt.type_string() }}) as feed,
    cast(entity as {{ dbt.type_string() }}) as entity,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(file_sha256 as {{ dbt.type_string() }}) as file_sha256,
    cast(row_number as integer) as row_number,
    cast(column_name as {{ dbt.type_string() }}) as column_name,
    cast(raw_value as {{ dbt.type_string() }}) as raw_value,
    cast(reason as {{ dbt.type_string() }}) as reason,
    quarantined_at
from {{ source('raw', 'quarantine') }}
