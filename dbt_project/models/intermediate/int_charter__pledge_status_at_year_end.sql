-- One row per pledge and reporting year: the pledge's status at the year end, i.e. its latest
-- update on or before that date. Pledges with no update by the year end have no row.
with years as (
    select * from {{ ref('int_reporting_years') }}
),

updates as (
    select * from {{ ref('stg_charter__pledge_updates') }}
),

ranked as (
    select
        years.reporting_year,
        years.year_end_on,
        updates.*,
        row_number() over (
            partition by years.reporting_year, updates.pledge_id
            order by updates.update_on desc, updates._loaded_at desc
        ) as recency
    from years
    inner join updates
        on updates.update_on < years.next_year_start_on
)

select
    ranked.pledge_id,
    ranked.reporting_year,
    ranked.year_end_on,
    ranked.organisation_id,
    signatories.district_code,
    ranked.priority_area,
    ranked.pledge_title,
    ranked.measure,
    ranked.target_value,
    ranked.due_on,
    ranked.update_on as status_updated_on,
    ranked.pledge_status,
    ranked.pledge_status in ('pledged', 'in_progress') as is_active,
    ranked.progress_value,
    ranked._source_file,
    ranked._row_number,
    ranked._load_id
from ranked
left join {{ ref('int_charter__signatories_located') }} as signatories
    on ranked.organisation_id = signatories.organisation_id
where ranked.recency = 1
