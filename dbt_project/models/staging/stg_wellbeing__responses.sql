-- One row per survey response (key: response_id).
-- Staging: rename and cast only (no joins, no filters).
select
    cast(response_id as {{ dbt.type_string() }}) as response_id,
    cast(respondent_key as {{ dbt.type_string() }}) as respondent_key,
    cast(survey as {{ dbt.type_string() }}) as survey,
    cast(wave as {{ dbt.type_string() }}) as wave,
    cast(completed_on as date) as completed_on,
    cast(lsoa_code as {{ dbt.type_string() }}) as lsoa_code,
    cast(district as {{ dbt.type_string() }}) as district_text,
    cast(age_band as {{ dbt.type_string() }}) as age_band,
    cast(gender as {{ dbt.type_string() }}) as gender,
    cast(life_satisfaction as integer) as life_satisfaction,
    cast(worthwhile as integer) as worthwhile,
    cast(happiness as integer) as happiness,
    cast(anxiety as integer) as anxiety,
    cast(swemwbs_optimistic as integer) as swemwbs_optimistic,
    cast(swemwbs_useful as integer) as swemwbs_useful,
    cast(swemwbs_relaxed as integer) as swemwbs_relaxed,
    cast(swemwbs_problems as integer) as swemwbs_problems,
    cast(swemwbs_thinking as integer) as swemwbs_thinking,
    cast(swemwbs_close as integer) as swemwbs_close,
    cast(swemwbs_own_mind as integer) as swemwbs_own_mind,
    _source_file,
    _file_sha256,
    _row_number,
    _load_id,
    _loaded_at
from {{ source('raw', 'wellbeing__responses') }}
