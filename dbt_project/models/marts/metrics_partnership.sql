-- Partnership metrics per reporting year, for the county and the signatory's district:
--   PO01 signatories that had signed by the year end (cumulative);
--   PO02 pledges active at the year end (status pledged or in_progress in their latest update on
--        or before the year end).
-- Signatories with no resolvable district count for the county only.
with spine as (
    {{ metric_spine(['PO01', 'PO02']) }}
),

years as (
    select * from {{ ref('int_reporting_years') }}
),

signatories as (
    select * from {{ ref('int_charter__signatories_located') }}
),

pledge_status as (
    select * from {{ ref('int_charter__pledge_status_at_year_end') }}
),

signed_by_year_end as (
    select years.reporting_year, signatories.district_code
    from years
    inner join signatories on signatories.signed_on < years.next_year_start_on
),

signatory_counts as (
    select reporting_year, '{{ var("county_code") }}' as geography_code, count(*) as signatories
    from signed_by_year_end
    group by reporting_year
    union all
    select reporting_year, district_code, count(*)
    from signed_by_year_end
    where district_code is not null
    group by reporting_year, district_code
),

pledge_counts as (
    select reporting_year, '{{ var("county_code") }}' as geography_code,
        sum(case when is_active then 1 else 0 end) as active_pledges, count(*) as pledges
    from pledge_status
    group by reporting_year
    union all
    select reporting_year, district_code,
        sum(case when is_active then 1 else 0 end), count(*)
    from pledge_status
    where district_code is not null
    group by reporting_year, district_code
),

feed_presence as (
    select
        (select count(*) from signatories) as signatories_loaded,
        (select count(*) from pledge_status) as pledge_statuses
),

pledge_years as (
    select distinct reporting_year from pledge_status
),

resolved as (
    select
        spine.*,
        case
            when spine.metric_id = 'PO01' then coalesce(signatory_counts.signatories, 0)
            else coalesce(pledge_counts.active_pledges, 0)
        end as value,
        cast(null as {{ type_double() }}) as numerator,
        cast(null as {{ type_double() }}) as denominator,
        case
            when spine.metric_id = 'PO01' then coalesce(signatory_counts.signatories, 0)
            else coalesce(pledge_counts.pledges, 0)
        end as n,
        cast(null as {{ type_double() }}) as ci_low,
        cast(null as {{ type_double() }}) as ci_high,
        case
            when spine.metric_id = 'PO01' and feed_presence.signatories_loaded = 0
                then 'no charter signatories loaded'
            when spine.metric_id = 'PO02' and pledge_years.reporting_year is null
                then 'no pledge updates on or before the year end'
        end as no_data_reason,
        case
            when spine.metric_id = 'PO02' then 'n = pledges with any status at the year end'
        end as notes
    from spine
    cross join feed_presence
    left join signatory_counts
        on spine.metric_id = 'PO01'
        and spine.reporting_year = signatory_counts.reporting_year
        and spine.geography_code = signatory_counts.geography_code
    left join pledge_counts
        on spine.metric_id = 'PO02'
        and spine.reporting_year = pledge_counts.reporting_year
        and spine.geography_code = pledge_counts.geography_code
    left join pledge_years
        on spine.reporting_year = pledge_years.reporting_year
)

select {{ metric_output_columns() }}
from resolved
