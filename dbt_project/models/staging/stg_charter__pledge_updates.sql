-- One row per update of a pledge (key: pledge_id, update_on).
-- Staging: rename and cast only (no joins, no filters).
select
    cast(pledge_id as {{ dbt.type_string() }}) as pledge_id,
    cast(organisation_id as {{ dbt.type_string() }}) as organisation_id,
    cast(priority_area as {{ dbt.type_string() }}) as priority_area,
    cast(pledge_title as {{ dbt.type_string() }}) as pledge_title,
    cast(measure as {{ dbt.type_string() }}) as measure,
    cast(target_value as {{ type_double() }}) as target_value,
    cast(due_on as date) as due_on,
    cast(update_on as date) as update_on,
    cast(status as {{ dbt.type_string() }}) as pledge_status,
    cast(progress_value as {{ type_double() }}) as progress_value,
    cast(case_study as {{ dbt.type_string() }}) as case_study,
    _source_file,
    _file_sha256,
    _row_number,
    _load_id,
    _loaded_at
from {{ source('raw', 'charter__pledge_updates') }}
