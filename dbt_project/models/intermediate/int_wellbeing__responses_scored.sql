-- One row per survey response, located (district, IMD decile) and scored.
-- SWEMWBS: raw score = sum of the 7 items, only when all 7 are present; converted to the Rasch
-- metric score with seed swemwbs_conversion. Population survey: the survey is
-- one of var('wellbeing_population_surveys') (default resident_panel), used by WB01 and WB04.
{%- set population_surveys = var('wellbeing_population_surveys') %}
{%- set swemwbs_items = ['swemwbs_optimistic', 'swemwbs_useful', 'swemwbs_relaxed', 'swemwbs_problems',
                         'swemwbs_thinking', 'swemwbs_close', 'swemwbs_own_mind'] %}
with responses as (
    select * from {{ ref('stg_wellbeing__responses') }}
),

scored as (
    select
        responses.*,
        case
            when {% for item in swemwbs_items %}{{ item }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
            then {% for item in swemwbs_items %}{{ item }}{% if not loop.last %} + {% endif %}{% endfor %}
        end as swemwbs_raw_score
    from responses
)

select
    scored.response_id,
    scored.respondent_key,
    scored.survey,
    scored.wave,
    scored.completed_on,
    {{ reporting_year('scored.completed_on') }} as reporting_year,
    scored.survey in ({% for s in population_surveys %}'{{ s }}'{% if not loop.last %}, {% endif %}{% endfor %}) as is_population_survey,
    scored.lsoa_code,
    coalesce(aliases.district_code, lsoas.district_code) as district_code,
    lsoas.imd_decile,
    scored.age_band,
    scored.gender,
    scored.life_satisfaction,
    scored.worthwhile,
    scored.happiness,
    scored.anxiety,
    {% for item in swemwbs_items %}scored.{{ item }},
    {% endfor -%}
    scored.swemwbs_raw_score,
    conversion.metric_score as swemwbs_metric_score,
    scored._source_file,
    scored._row_number,
    scored._load_id
from scored
left join {{ ref('int_area_lsoas') }} as lsoas
    on scored.lsoa_code = lsoas.lsoa_code
left join {{ ref('int_district_aliases') }} as aliases
    on lower(trim(scored.district_text)) = aliases.alias
left join {{ ref('swemwbs_conversion') }} as conversion
    on scored.swemwbs_raw_score = conversion.raw_score
