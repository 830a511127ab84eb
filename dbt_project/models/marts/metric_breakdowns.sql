-- Charter breakdowns of the county's partnership metrics (long), one row per metric x reporting
-- year x breakdown x category:
--   PO01 signatories signed by the year end (cumulative), by sector and by size band (the
--        contract's categories; 'not_recorded' where the export left it blank);
--   PO02 pledges active at the year end, by the Charter's eight priority areas (seed
--        priority_areas; 'not_recorded' for a pledge whose area is not one of them).
-- Every category gets a row every year (0 where none), so a chart shows a true zero as 0; a year
-- before the feed has data has value null and a no_data_reason, as in marts.metrics. Kept apart
-- from marts.metrics so that mart keeps its grain (metric x year x geography); the pack masks these
-- rows with the same disclosure rules as the metrics (they count organisations and pledges).
with years as (
    select * from {{ ref('int_reporting_years') }}
),

signatories as (
    select * from {{ ref('int_charter__signatories_located') }}
),

pledge_status as (
    select * from {{ ref('int_charter__pledge_status_at_year_end') }}
),

categories as (
    {%- set sectors = [('private', 'Private sector'), ('public', 'Public sector'),
                       ('vcse', 'Voluntary, community and social enterprise'), ('education', 'Education'),
                       ('health', 'Health')] %}
    {%- set sizes = [('micro', 'Micro'), ('small', 'Small'), ('medium', 'Medium'), ('large', 'Large')] %}
    {%- for code, name in sectors %}
    select 'PO01' as metric_id, 'sector' as breakdown, '{{ code }}' as category, '{{ name }}' as category_name,
        {{ loop.index }} as sort_order
    union all
    {%- endfor %}
    {%- for code, name in sizes %}
    select 'PO01', 'size_band', '{{ code }}', '{{ name }}', {{ loop.index }}
    union all
    {%- endfor %}
    select 'PO02', 'priority_area', priority_area, priority_area_name, sort_order
    from {{ ref('priority_areas') }}
    union all
    select metric_id, breakdown, 'not_recorded', 'Not recorded', 99
    from (
        select 'PO01' as metric_id, 'sector' as breakdown
        union all select 'PO01', 'size_band'
        union all select 'PO02', 'priority_area'
    ) as breakdowns
),

signatory_rows as (
    select years.reporting_year, 'sector' as breakdown, coalesce(signatories.sector, 'not_recorded') as category
    from years
    inner join signatories on signatories.signed_on < years.next_year_start_on
    union all
    select years.reporting_year, 'size_band', coalesce(signatories.size_band, 'not_recorded')
    from years
    inner join signatories on signatories.signed_on < years.next_year_start_on
),

known_areas as (
    select priority_area from {{ ref('priority_areas') }}
),

counted as (
    select 'PO01' as metric_id, reporting_year, breakdown, category, count(*) as value, count(*) as n
    from signatory_rows
    group by reporting_year, breakdown, category
    union all
    select 'PO02', pledge_status.reporting_year, 'priority_area',
        case when known_areas.priority_area is null then 'not_recorded' else pledge_status.priority_area end,
        sum(case when pledge_status.is_active then 1 else 0 end),
        count(*)
    from pledge_status
    left join known_areas on pledge_status.priority_area = known_areas.priority_area
    group by 2, 3, 4
),

feed_presence as (
    select
        (select count(*) from signatories) as signatories_loaded,
        (select count(*) from pledge_status) as pledge_statuses
),

pledge_years as (
    select distinct reporting_year from pledge_status
),

spine as (
    select
        categories.metric_id,
        years.reporting_year,
        categories.breakdown,
        categories.category,
        categories.category_name,
        categories.sort_order
    from categories
    cross join years
),

resolved as (
    select
        spine.*,
        case
            when spine.metric_id = 'PO01' and feed_presence.signatories_loaded = 0
                then 'no charter signatories loaded'
            when spine.metric_id = 'PO02' and pledge_years.reporting_year is null
                then 'no pledge updates on or before the year end'
        end as no_data_reason,
        coalesce(counted.value, 0) as value,
        coalesce(counted.n, 0) as n
    from spine
    cross join feed_presence
    left join pledge_years on spine.reporting_year = pledge_years.reporting_year
    left join counted
        on spine.metric_id = counted.metric_id
        and spine.reporting_year = counted.reporting_year
        and spine.breakdown = counted.breakdown
        and spine.category = counted.category
)

select
    metric_id,
    reporting_year,
    breakdown,
    category,
    category_name,
    sort_order,
    '{{ var("county_code") }}' as geography_code,
    {{ sql_string(var("county_name")) }} as geography_name,  -- a free-text name (King's Lynn): a quoted literal
    cast(case when no_data_reason is null then value end as {{ type_double() }}) as value,
    cast(case when no_data_reason is null then n end as {{ dbt.type_bigint() }}) as n,
    'count' as unit,
    cast(no_data_reason as {{ dbt.type_string() }}) as no_data_reason,
    cast(case
        when metric_id = 'PO01' then 'signatories signed on or before the year end (cumulative)'
        else 'pledges pledged or in progress at the year end; n = pledges in the area with any status'
    end as {{ dbt.type_string() }}) as notes
from resolved
where not (category = 'not_recorded' and value = 0)
