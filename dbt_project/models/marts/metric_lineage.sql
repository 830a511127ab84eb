-- How to get from a metric value back to its fact rows (docs/evaluator-guide.md): one row per
-- metric naming the fact table, a SQL predicate selecting the rows that contribute to the value for
-- a reporting year and geography (parameters $reporting_year and $geography_code, as DuckDB
-- prepared-statement parameters), and, where a plain aggregate over those rows reproduces the
-- published value, that aggregate. Fact rows carry _source_file, _row_number and _load_id, which
-- join lineage.load_audit. Tested: every value_sql re-aggregates to marts.metrics.
{%- set county = var('county_code') %}
{%- set district = "($geography_code = '" ~ county ~ "' or district_code = $geography_code)" %}
{%- set county_only = "$geography_code = '" ~ county ~ "'" %}
{%- set spend = "reporting_year = $reporting_year and is_influenceable and " ~ county_only %}
{%- set pop = "reporting_year = $reporting_year and is_population_survey and " ~ district %}
{%- set job_starts = "reporting_year = $reporting_year and outcome_type = 'job_start' and " ~ district %}
{%- set pairs = "reporting_year = $reporting_year and " ~ district %}
{%- set wellbys = "sum(life_satisfaction_change) * " ~ var('wellby_duration_years') %}
{%- set rows = [
    ('PP01', 'fct_payments', spend, 'sum(amount_gbp)', none),
    ('PP02', 'fct_payments', spend, '100.0 * sum(case when is_county_based then amount_gbp else 0 end) / sum(amount_gbp)', none),
    ('PP03', 'fct_payments', spend, '100.0 * sum(case when is_deprived_area then amount_gbp else 0 end) / sum(amount_gbp)', none),
    ('PP04', 'fct_payments', spend, '100.0 * sum(case when is_sme then amount_gbp else 0 end) / sum(amount_gbp)', none),
    ('PP05', 'fct_payments', spend, '100.0 * sum(case when is_social_economy then amount_gbp else 0 end) / sum(amount_gbp)', none),
    ('PP06', 'fct_payments', spend, '100.0 * sum(case when is_real_living_wage_employer then amount_gbp else 0 end) / sum(amount_gbp)', none),
    ('PP07', 'fct_payments', spend, '100.0 * sum(case when has_carbon_reduction_plan then amount_gbp else 0 end) / sum(amount_gbp)', none),
    ('PP08', 'fct_payments', spend, none, 'the ten suppliers with most net spend among these rows (supplier = matched_supplier_ref, else payee name; redacted payees not ranked)'),
    ('PP09', none, none, none, 'contracts are not published as a fact table; the notes of the metric row give the components'),
    ('PP10', 'fct_payments', spend, none, 'distinct matched_supplier_ref of suppliers based in the area whose net spend over these rows is positive'),
    ('FE01', 'fct_participants', "enrolment_year = $reporting_year and " ~ district, 'count(*)', none),
    ('FE02', 'fct_participants', "enrolment_year = $reporting_year and " ~ district, '100.0 * count(*) filter (where imd_decile <= 2) / count(imd_decile)', none),
    ('FE03', 'fct_outcomes', job_starts, 'count(*)', none),
    ('FE04', 'fct_outcomes', job_starts, none, 'FE03 job starts per 100 FE01 participants enrolled in the year'),
    ('FE05', 'fct_outcomes', job_starts, none, 'of these job starts, those whose 26-week point has passed, sustained by a job_sustained_26w outcome (docs/metrics.md)'),
    ('FE06', 'fct_outcomes', "reporting_year = $reporting_year and outcome_type = 'apprenticeship_start' and " ~ district, 'count(*)', none),
    ('FE07', 'fct_outcomes', job_starts, none, 'of these job starts with hourly pay reported, those paid at least the Real Living Wage in force on the outcome date'),
    ('FE08', 'fct_outcomes', "reporting_year = $reporting_year and outcome_type = 'job_start' and " ~ county_only, none, 'programme cost returns are not published as a fact table; the notes of the metric row give the components'),
    ('WB01', 'fct_responses', pop ~ " and life_satisfaction is not null", 'avg(life_satisfaction)', none),
    ('WB02', 'fct_responses', pop ~ " and life_satisfaction is not null", '100.0 * count(*) filter (where life_satisfaction between 0 and 4) / count(*)', none),
    ('WB03', 'fct_responses', pop ~ " and anxiety is not null", '100.0 * count(*) filter (where anxiety between 6 and 10) / count(*)', none),
    ('WB04', 'fct_responses', pop ~ " and swemwbs_metric_score is not null", 'avg(swemwbs_metric_score)', none),
    ('WB05', 'fct_wellbeing_pairs', pairs, 'avg(life_satisfaction_change)', 'baseline_response_id and follow_up_response_id join fct_responses.response_id'),
    ('WB06', 'fct_wellbeing_pairs', pairs, wellbys, 'baseline_response_id and follow_up_response_id join fct_responses.response_id'),
    ('WB06_GBP', 'fct_wellbeing_pairs', pairs, wellbys ~ " * (select value_gbp from reference.wellby_values where estimate = 'central')", none),
    ('WB06_GBP_LOW', 'fct_wellbeing_pairs', pairs, wellbys ~ " * (select value_gbp from reference.wellby_values where estimate = 'low')", none),
    ('WB06_GBP_HIGH', 'fct_wellbeing_pairs', pairs, wellbys ~ " * (select value_gbp from reference.wellby_values where estimate = 'high')", none),
    ('IN01', 'fct_responses', pop ~ " and life_satisfaction is not null and imd_decile is not null", none, 'mean life satisfaction of IMD quintile 5 (ceil(imd_decile / 2) = 5) minus quintile 1, each needing at least 2 responses'),
    ('IN02', 'fct_outcomes', job_starts, '100.0 * count(*) filter (where imd_decile <= 2) / count(imd_decile)', none),
    ('PO01', 'dim_signatories', "signed_in_year <= $reporting_year and " ~ district, 'count(*)', none),
    ('PO02', 'fct_pledge_status', "reporting_year = $reporting_year and is_active and " ~ district, 'count(*)', none),
    ('PO03', 'fct_pledge_status', "reporting_year = $reporting_year and " ~ district, none, 'of these pledges, those due in the year (due_on) whose status at the year end is achieved'),
    ('PO04', 'dim_signatories', "signed_in_year <= $reporting_year and " ~ district, none, 'of these signatories, those with a pledge update in the 12 months to the year end'),
] %}
{% for metric_id, fact_table, row_filter, value_sql, notes in rows -%}
select
    '{{ metric_id }}' as metric_id,
    {%- for column, value in [('fact_table', none if fact_table is none else 'marts.' ~ fact_table),
                              ('row_filter', row_filter), ('value_sql', value_sql), ('notes', notes)] %}
    {% if value is none %}cast(null as {{ dbt.type_string() }}){% else %}'{{ value | replace("'", "''") }}'{% endif %} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{% if not loop.last %}union all
{% endif %}
{%- endfor %}
