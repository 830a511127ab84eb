-- Procurement metrics (PP01-PP10), county level only: they describe the anchor institutions'
-- spend as a whole, and an anchor (the county council, a university, an NHS trust) serves the
-- whole county, so a district split of the buyer side is not defined. District rows carry the
-- no-data reason below. "County-based" and "deprived area" describe where the supplier is.
-- Shares are of analysed (influenceable) spend; unmatched suppliers count as not in a numerator.
-- The county rows' notes name the anchors whose payments they cover (declared anchors based
-- outside the area marked so: impact.toml [[anchors]] in_area = false).
with spine as (
    {{ metric_spine(['PP01', 'PP02', 'PP03', 'PP04', 'PP05', 'PP06', 'PP07', 'PP08', 'PP09', 'PP10']) }}
),

payments as (
    select
        *,
        -- a supplier for PP08/PP10: its register entry, else its payee name; withheld (redacted)
        -- payees have neither and are never pooled into one "supplier"
        coalesce(matched_supplier_ref, 'name:' || lower(trim(supplier_name))) as supplier_key
    from {{ ref('fct_payments') }}
    where is_influenceable
),

yearly as (
    select
        reporting_year,
        count(*) as analysed_lines,
        sum(amount_gbp) as analysed_gbp,
        sum(case when is_county_based then amount_gbp else 0 end) as county_based_gbp,
        sum(case when is_deprived_area then amount_gbp else 0 end) as deprived_area_gbp,
        sum(case when is_sme then amount_gbp else 0 end) as sme_gbp,
        sum(case when is_social_economy then amount_gbp else 0 end) as social_economy_gbp,
        sum(case when is_real_living_wage_employer then amount_gbp else 0 end) as rlw_gbp,
        sum(case when has_carbon_reduction_plan then amount_gbp else 0 end) as carbon_plan_gbp,
        sum(case when supplier_match <> 'unmatched' then amount_gbp else 0 end) as matched_gbp
    from payments
    group by reporting_year
),

declared_anchors as (
    {{ declared_anchors() }}
),

anchors_covered as (
    select
        reporting_year,
        {{ joined_in_order('anchor_label', "', '") }} as anchors
    from (
        select distinct
            payments.reporting_year,
            payments.anchor || case when declared_anchors.is_in_area = false then ' (outside the area)' else '' end
                as anchor_label
        from payments
        left join declared_anchors on payments.anchor = declared_anchors.anchor
    ) as labelled
    group by reporting_year
),

supplier_totals as (
    select
        reporting_year,
        supplier_key,
        max(case when is_county_based then 1 else 0 end) as is_county_based,
        sum(amount_gbp) as net_gbp
    from payments
    where supplier_key is not null
    group by reporting_year, supplier_key
),

ranked_suppliers as (
    select
        supplier_totals.*,
        row_number() over (partition by reporting_year order by net_gbp desc, {{ sort_key('supplier_key') }}) as spend_rank
    from supplier_totals
),

supplier_counts as (
    select
        reporting_year,
        sum(case when spend_rank <= 10 then net_gbp else 0 end) as top_10_gbp,
        sum(case when is_county_based = 1 and net_gbp > 0 and supplier_key not like 'name:%' then 1 else 0 end)
            as county_suppliers_paid
    from ranked_suppliers
    group by reporting_year
),

contracts as (
    select
        {{ reporting_year('awarded_on') }} as reporting_year,
        count(*) as contracts,
        sum(social_value_delivered_gbp) as delivered_gbp,
        sum(case when social_value_delivered_gbp is not null then social_value_committed_gbp end) as committed_gbp,
        sum(case when social_value_delivered_gbp is not null and social_value_committed_gbp is not null
            then 1 else 0 end) as contracts_reporting_both,
        sum(case when social_value_delivered_gbp is not null then 1 else 0 end) as contracts_reporting_delivery
    from {{ ref('stg_spend__contracts') }}
    group by 1
),

shares as (
    {%- set shares = [('PP02', 'county_based_gbp'), ('PP03', 'deprived_area_gbp'), ('PP04', 'sme_gbp'),
                      ('PP05', 'social_economy_gbp'), ('PP06', 'rlw_gbp'), ('PP07', 'carbon_plan_gbp')] %}
    select yearly.reporting_year, 'PP01' as metric_id, yearly.analysed_gbp as value,
        cast(null as {{ type_double() }}) as numerator, cast(null as {{ type_double() }}) as denominator,
        yearly.analysed_lines as n, yearly.analysed_gbp, yearly.matched_gbp
    from yearly
    {%- for metric_id, column in shares %}
    union all
    select reporting_year, '{{ metric_id }}', {{ pct(column, 'analysed_gbp') }},
        {{ column }}, analysed_gbp, analysed_lines, analysed_gbp, matched_gbp
    from yearly
    {%- endfor %}
    union all
    select yearly.reporting_year, 'PP08', {{ pct('supplier_counts.top_10_gbp', 'yearly.analysed_gbp') }},
        supplier_counts.top_10_gbp, yearly.analysed_gbp, yearly.analysed_lines, yearly.analysed_gbp, yearly.matched_gbp
    from yearly
    inner join supplier_counts on yearly.reporting_year = supplier_counts.reporting_year
    union all
    select yearly.reporting_year, 'PP10', supplier_counts.county_suppliers_paid,
        null, null, supplier_counts.county_suppliers_paid, yearly.analysed_gbp, yearly.matched_gbp
    from yearly
    inner join supplier_counts on yearly.reporting_year = supplier_counts.reporting_year
),

resolved as (
    select
        spine.*,
        case when spine.metric_id = 'PP09' then contracts.delivered_gbp else shares.value end as value,
        shares.numerator,
        shares.denominator,
        case when spine.metric_id = 'PP09' then contracts.contracts_reporting_delivery else shares.n end as n,
        cast(null as {{ type_double() }}) as ci_low,
        cast(null as {{ type_double() }}) as ci_high,
        case
            when {{ not_collected('spend', 'spine.reporting_year') }} then {{ not_collected_reason('spend', 'spine.reporting_year') }}
            when spine.geography_level = 'district'
                then 'procurement metrics are defined for the county''s anchors as a whole'
            when spine.metric_id in ('PP02', 'PP03', 'PP04', 'PP05', 'PP06', 'PP07', 'PP10')
                and {{ no_supplier_register() }}
                then 'no supplier register'
            when spine.metric_id = 'PP09' and not exists (select 1 from {{ ref('stg_spend__contracts') }})
                then 'no contracts data loaded'
            when spine.metric_id = 'PP09' and contracts.reporting_year is null
                then 'no contracts awarded in the year'
            when spine.metric_id = 'PP09' and contracts.contracts_reporting_delivery = 0
                then 'no contract awarded in the year reports social value delivered'
            when spine.metric_id = 'PP09' then null
            when shares.metric_id is null then 'no payments loaded for the year'
            when spine.metric_id not in ('PP01', 'PP10') and shares.denominator <= 0
                then 'analysed spend is zero or negative (credit notes) in the year'
            when spine.metric_id not in ('PP01', 'PP10') and (shares.numerator < 0 or shares.numerator > shares.denominator)
                then 'credit notes put the share outside 0-100%'
        end as no_data_reason,
        case
            when spine.metric_id = 'PP09'
                then 'delivered as reported to date on contracts awarded in the year'
                    || case when contracts.committed_gbp > 0
                        then '; GBP ' || {{ format_decimal('contracts.delivered_gbp', 2) }}
                            || ' delivered of GBP ' || {{ format_decimal('contracts.committed_gbp', 2) }}
                            || ' committed on the same contracts = '
                            || {{ format_decimal('100 * ' ~ divide('contracts.delivered_gbp', 'contracts.committed_gbp'), 1) }}
                            || '% of committed'
                        else '' end
            when spine.metric_id = 'PP08'
                then 'top 10 suppliers by net analysed spend; withheld (redacted) payees are not ranked'
            when spine.metric_id = 'PP10'
                then 'distinct register suppliers based in the area with positive net analysed spend'
            when spine.metric_id in ('PP02', 'PP03', 'PP04', 'PP05', 'PP06', 'PP07') and {{ no_supplier_register() }}
                then null  -- no register in use: nothing was matched against one
            when spine.metric_id = 'PP03' and shares.analysed_gbp > 0
                then 'supplier register matched '
                    || {{ format_decimal('100 * ' ~ divide('shares.matched_gbp', 'shares.analysed_gbp'), 1) }}
                    || '% of analysed spend; IMD deciles are known for the area''s LSOAs only'
            when spine.metric_id <> 'PP01' and shares.analysed_gbp > 0
                then 'supplier register matched '
                    || {{ format_decimal('100 * ' ~ divide('shares.matched_gbp', 'shares.analysed_gbp'), 1) }}
                    || '% of analysed spend; unmatched spend counts as not in the numerator'
        end as notes
    from spine
    left join shares
        on spine.metric_id = shares.metric_id
        and spine.reporting_year = shares.reporting_year
    left join contracts
        on spine.metric_id = 'PP09'
        and spine.reporting_year = contracts.reporting_year
),

noted as (
    select
        resolved.metric_id,
        resolved.reporting_year,
        resolved.geography_level,
        resolved.geography_code,
        resolved.geography_name,
        resolved.value,
        resolved.numerator,
        resolved.denominator,
        resolved.n,
        resolved.ci_low,
        resolved.ci_high,
        resolved.no_data_reason,
        case
            when resolved.geography_level = 'county' and resolved.metric_id <> 'PP09'
                and anchors_covered.anchors is not null
                then coalesce(resolved.notes || '; ', '') || 'anchors covered: ' || anchors_covered.anchors
            else resolved.notes
        end as notes
    from resolved
    left join anchors_covered on resolved.reporting_year = anchors_covered.reporting_year
)

select {{ metric_output_columns() }}
from noted
