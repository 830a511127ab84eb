-- One row per reported outcome (key: provider, participant_key, outcome_type, outcome_on).
-- Staging: rename and cast only (no joins, no filters).
select
    cast(participant_key as {{ dbt.type_string() }}) as participant_key,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(outcome_type as {{ dbt.type_string() }}) as outcome_type,
    cast(outcome_on as date) as outcome_on,
    cast(hours_per_week as {{ type_double() }}) as hours_per_week,
    cast(hourly_pay_gbp as decimal(18, 2)) as hourly_pay_gbp,
    _source_file,
    _file_sha256,
    _row_number,
    _load_id,
    _loaded_at
from {{ source('raw', 'programme__outcomes') }}
