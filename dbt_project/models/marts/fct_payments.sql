-- One row per payment line, matched to the supplier register and classified for the procurement
-- metrics, with lineage. Built once: the procurement metrics and the tests read this table.
-- Incremental on DuckDB: a build adds the payments of loads not yet in the table and removes those
-- of loads replaced since (a corrected file). Rows are never re-classified in place: when the
-- supplier register or anything else the classification reads changes, the build that follows is
-- a --full-refresh (orchestration/build_plan.py full_refresh_reason), as is every full build.
-- Other engines build a table each time.
{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    unique_key='payment_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook="{% if is_incremental() %}delete from {{ this }} where _load_id not in "
              "(select distinct _load_id from {{ ref('stg_spend__payments') }}){% endif %}"
) }}
-- Supplier match: on supplier_ref; failing that on the supplier name (trimmed, case-insensitive)
-- when exactly one register entry carries that name, so a shared name never fans a payment out.
-- Influenceable: the expense category matches no pattern of seed non_influenceable_categories
-- (substring, case-insensitive); a payment without a category stays influenceable.
-- An unmatched supplier counts as not county-based, not deprived-area, not SME, and so on.
with payments as (
    select * from {{ ref('stg_spend__payments') }}
    {% if is_incremental() %}
    where _load_id not in (select distinct _load_id from {{ this }})
    {% endif %}
),

suppliers as (
    select * from {{ ref('int_spend__suppliers_classified') }}
),

unique_supplier_names as (
    select lower(trim(supplier_name)) as name_key, min(supplier_ref) as supplier_ref
    from suppliers
    group by lower(trim(supplier_name))
    having count(*) = 1
),

matched as (
    select
        payments.*,
        coalesce(by_ref.supplier_ref, by_name.supplier_ref) as matched_supplier_ref,
        case
            when by_ref.supplier_ref is not null then 'supplier_ref'
            when by_name.supplier_ref is not null then 'supplier_name'
            else 'unmatched'
        end as supplier_match
    from payments
    left join suppliers as by_ref
        on payments.supplier_ref = by_ref.supplier_ref
    left join unique_supplier_names as by_name
        on by_ref.supplier_ref is null
        and lower(trim(payments.supplier_name)) = by_name.name_key
),

categories as (  -- a category's exclusion depends on the category alone: match each one once
    select distinct expense_category from payments where expense_category is not null
),

exclusions as (
    select
        categories.expense_category,
        min({{ sort_key('patterns.exclusion_group') }}) as exclusion_group
    from categories
    inner join {{ ref('non_influenceable_categories') }} as patterns
        on lower(categories.expense_category) like '%' || lower(patterns.pattern) || '%'
    group by categories.expense_category
)

select
    matched.payment_id,
    matched.anchor,
    matched.payment_date,
    {{ reporting_year('matched.payment_date') }} as reporting_year,
    matched.transaction_ref,
    matched.supplier_name,
    matched.supplier_ref,
    matched.matched_supplier_ref,
    matched.supplier_match,
    matched.amount_gbp,
    matched.expense_category,
    matched.service_area,
    matched.capital_or_revenue,
    exclusions.exclusion_group,
    exclusions.expense_category is null as is_influenceable,
    suppliers.lsoa_code as supplier_lsoa_code,
    suppliers.district_code as supplier_district_code,
    suppliers.imd_decile as supplier_imd_decile,
    coalesce(suppliers.is_county_based, false) as is_county_based,
    coalesce(suppliers.is_deprived_area, false) as is_deprived_area,
    coalesce(suppliers.is_sme, false) as is_sme,
    coalesce(suppliers.is_social_economy, false) as is_social_economy,
    coalesce(suppliers.is_real_living_wage_employer, false) as is_real_living_wage_employer,
    coalesce(suppliers.has_carbon_reduction_plan, false) as has_carbon_reduction_plan,
    matched._source_file,
    matched._row_number,
    matched._load_id
from matched
left join exclusions on matched.expense_category = exclusions.expense_category
left join suppliers on matched.matched_supplier_ref = suppliers.supplier_ref
