-- One row per programme participant (key: provider, participant_key).
-- Staging: rename and cast only (no joins, no filters).
select
    cast(participant_key as {{ dbt.type_string() }}) as participant_key,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(enrolled_on as date) as enrolled_on,
    cast(lsoa_code as {{ dbt.type_string() }}) as lsoa_code,
    cast(district as {{ dbt.type_string() }}) as district_text,
    cast(age_band as {{ dbt.type_string() }}) as age_band,
    cast(gender as {{ dbt.type_string() }}) as gender,
    cast(ethnic_group as {{ dbt.type_string() }}) as ethnic_group,
    cast(disabled as boolean) as is_disabled,
    cast(uc_claimant as boolean) as is_uc_claimant,
    cast(barriers as {{ dbt.type_string() }}) as barriers,
    _source_file,
    _file_sha256,
    _row_number,
    _load_id,
    _loaded_at
from {{ source('raw', 'programme__participants') }}
