-- One row per wellbeing survey response, located and scored (SWEMWBS metric score).
select * from {{ ref('int_wellbeing__responses_scored') }}
