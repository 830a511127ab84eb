-- Partnership metrics per reporting year, for the county and the signatory's district:
--   PO01 signatories that had signed by the year end (cumulative);
--   PO02 pledges active at the year end (status pledged or in_progress in their latest update on
--        or before the year end);
--   PO03 share of pledges due in the year (due_on, as their status at the year end gives it) whose
--        status at the year end is achieved; lapsed and withdrawn pledges stay in the denominator;
--   PO04 share of signatories at the year end with at least one pledge update dated in the 12
--        months to the year end; no data for a year that ends before the first pledge update on
--        record (the pledge feed did not exist yet: 0% would read as nobody reporting).
-- Signatories with no resolvable district count for the county only.
with spine as (
    {{ metric_spine(['PO01', 'PO02', 'PO03', 'PO04']) }}
),

years as (
    select * from {{ ref('int_reporting_years') }}
),

signatories as (
    select * from {{ ref('int_charter__signatories_located') }}
),

pledge_status as (
    select
        pledge_status.*,
        coalesce({{ reporting_year('pledge_status.due_on') }} = pledge_status.reporting_year, false) as is_due_in_year
    from {{ ref('int_charter__pledge_status_at_year_end') }} as pledge_status
),

signed_by_year_end as (
    select
        years.reporting_year,
        signatories.district_code,
        case when exists (
            select 1
            from {{ ref('stg_charter__pledge_updates') }} as updates
            where updates.organisation_id = signatories.organisation_id
              and updates.update_on < years.next_year_start_on
              and updates.update_on >= {{ dbt.dateadd('year', -1, 'years.next_year_start_on') }}
        ) then 1 else 0 end as has_recent_update
    from years
    inner join signatories on signatories.signed_on < years.next_year_start_on
),

signatory_counts as (
    select reporting_year, '{{ var("county_code") }}' as geography_code, count(*) as signatories,
        sum(has_recent_update) as signatories_updating
    from signed_by_year_end
    group by reporting_year
    union all
    select reporting_year, district_code, count(*), sum(has_recent_update)
    from signed_by_year_end
    where {{ is_district_row('district_code') }}
    group by reporting_year, district_code
),

pledge_counts as (
    select reporting_year, '{{ var("county_code") }}' as geography_code,
        sum(case when is_active then 1 else 0 end) as active_pledges, count(*) as pledges,
        sum(case when is_due_in_year then 1 else 0 end) as pledges_due,
        sum(case when is_due_in_year and pledge_status = 'achieved' then 1 else 0 end) as pledges_due_achieved
    from pledge_status
    group by reporting_year
    union all
    select reporting_year, district_code,
        sum(case when is_active then 1 else 0 end), count(*),
        sum(case when is_due_in_year then 1 else 0 end),
        sum(case when is_due_in_year and pledge_status = 'achieved' then 1 else 0 end)
    from pledge_status
    where {{ is_district_row('district_code') }}
    group by reporting_year, district_code
),

feed_presence as (
    select
        (select count(*) from signatories) as signatories_loaded,
        (select count(*) from pledge_status) as pledge_statuses,
        (select min(update_on) from {{ ref('stg_charter__pledge_updates') }}) as first_update_on
),

pledge_years as (
    select distinct reporting_year from pledge_status
),

resolved as (
    select
        spine.*,
        case
            when spine.metric_id = 'PO01' then coalesce(signatory_counts.signatories, 0)
            when spine.metric_id = 'PO02' then coalesce(pledge_counts.active_pledges, 0)
            when spine.metric_id = 'PO03' then {{ pct('pledge_counts.pledges_due_achieved', 'pledge_counts.pledges_due') }}
            else {{ pct('signatory_counts.signatories_updating', 'signatory_counts.signatories') }}
        end as value,
        case
            when spine.metric_id = 'PO03' then pledge_counts.pledges_due_achieved
            when spine.metric_id = 'PO04' then signatory_counts.signatories_updating
        end as numerator,
        case
            when spine.metric_id = 'PO03' then pledge_counts.pledges_due
            when spine.metric_id = 'PO04' then signatory_counts.signatories
        end as denominator,
        case
            when spine.metric_id in ('PO01', 'PO04') then coalesce(signatory_counts.signatories, 0)
            when spine.metric_id = 'PO02' then coalesce(pledge_counts.pledges, 0)
            else pledge_counts.pledges_due
        end as n,
        cast(null as {{ type_double() }}) as ci_low,
        cast(null as {{ type_double() }}) as ci_high,
        case
            when {{ not_collected('charter', 'spine.reporting_year') }} then {{ not_collected_reason('charter', 'spine.reporting_year') }}
            when spine.metric_id in ('PO01', 'PO04') and feed_presence.signatories_loaded = 0
                then 'no charter signatories loaded'
            when spine.metric_id = 'PO04' and (feed_presence.first_update_on is null
                    or feed_presence.first_update_on >= spine.next_year_start_on)
                then 'no pledge updates on record by the year end (the pledge feed starts later)'
            when spine.metric_id = 'PO04' and coalesce(signatory_counts.signatories, 0) = 0
                then 'no signatories by the year end in this geography'
            when spine.metric_id in ('PO02', 'PO03') and pledge_years.reporting_year is null
                then 'no pledge updates on or before the year end'
            when spine.metric_id = 'PO03' and coalesce(pledge_counts.pledges_due, 0) = 0
                then 'no pledges due in the year in this geography'
        end as no_data_reason,
        case
            when spine.metric_id = 'PO02' then 'n = pledges with any status at the year end'
            when spine.metric_id = 'PO03'
                then 'due date and status as at the year end; lapsed and withdrawn pledges count as not achieved'
            when spine.metric_id = 'PO04' then 'update = any pledge update dated in the 12 months to the year end'
        end as notes
    from spine
    cross join feed_presence
    left join signatory_counts
        on spine.metric_id in ('PO01', 'PO04')
        and spine.reporting_year = signatory_counts.reporting_year
        and spine.geography_code = signatory_counts.geography_code
    left join pledge_counts
        on spine.metric_id in ('PO02', 'PO03')
        and spine.reporting_year = pledge_counts.reporting_year
        and spine.geography_code = pledge_counts.geography_code
    left join pledge_years
        on spine.reporting_year = pledge_years.reporting_year
)

select {{ metric_output_columns() }}
from resolved
