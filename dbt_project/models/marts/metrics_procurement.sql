-- Procurement metrics (PP01-PP04), county level only: they describe the anchor institutions'
-- spend as a whole, and an anchor (the county council, a university, an NHS trust) serves the
-- whole county, so a district split of the buyer side is not defined. District rows carry the
-- no-data reason below. "County-based" and "deprived area" describe where the supplier is.
with spine as (
    {{ metric_spine(['PP01', 'PP02', 'PP03', 'PP04']) }}
),

payments as (
    select * from {{ ref('int_spend__payments_classified') }}
),

yearly as (
    select
        reporting_year,
        count(*) as payment_lines,
        sum(case when is_influenceable then 1 else 0 end) as analysed_lines,
        sum(case when is_influenceable then amount_gbp else 0 end) as analysed_gbp,
        sum(case when is_influenceable and is_county_based then amount_gbp else 0 end) as county_based_gbp,
        sum(case when is_influenceable and is_deprived_area then amount_gbp else 0 end) as deprived_area_gbp,
        sum(case when is_influenceable and is_sme then amount_gbp else 0 end) as sme_gbp,
        sum(case when is_influenceable and supplier_match <> 'unmatched' then amount_gbp else 0 end) as matched_gbp
    from payments
    group by reporting_year
),

shares as (
    select reporting_year, 'PP01' as metric_id, analysed_gbp as value,
        cast(null as {{ type_double() }}) as numerator, cast(null as {{ type_double() }}) as denominator,
        analysed_lines as n, analysed_gbp, matched_gbp
    from yearly
    union all
    select reporting_year, 'PP02', {{ pct('county_based_gbp', 'analysed_gbp') }},
        county_based_gbp, analysed_gbp, analysed_lines, analysed_gbp, matched_gbp
    from yearly
    union all
    select reporting_year, 'PP03', {{ pct('deprived_area_gbp', 'analysed_gbp') }},
        deprived_area_gbp, analysed_gbp, analysed_lines, analysed_gbp, matched_gbp
    from yearly
    union all
    select reporting_year, 'PP04', {{ pct('sme_gbp', 'analysed_gbp') }},
        sme_gbp, analysed_gbp, analysed_lines, analysed_gbp, matched_gbp
    from yearly
),

resolved as (
    select
        spine.*,
        shares.value,
        shares.numerator,
        shares.denominator,
        shares.n,
        cast(null as {{ type_double() }}) as ci_low,
        cast(null as {{ type_double() }}) as ci_high,
        case
            when spine.geography_level = 'district'
                then 'procurement metrics are defined for the county''s anchors as a whole'
            when shares.metric_id is null then 'no payments loaded for the year'
            when spine.metric_id <> 'PP01' and shares.denominator <= 0
                then 'analysed spend is zero or negative (credit notes) in the year'
            when spine.metric_id <> 'PP01' and (shares.numerator < 0 or shares.numerator > shares.denominator)
                then 'credit notes put the share outside 0-100%'
        end as no_data_reason,
        case
            when spine.metric_id = 'PP03' and shares.analysed_gbp > 0
                then 'supplier register matched '
                    || cast(round(100.0 * shares.matched_gbp / shares.analysed_gbp, 1) as {{ dbt.type_string() }})
                    || '% of analysed spend; IMD deciles are known for county LSOAs only'
            when spine.metric_id <> 'PP01' and shares.analysed_gbp > 0
                then 'supplier register matched '
                    || cast(round(100.0 * shares.matched_gbp / shares.analysed_gbp, 1) as {{ dbt.type_string() }})
                    || '% of analysed spend; unmatched spend counts as not in the numerator'
        end as notes
    from spine
    left join shares
        on spine.metric_id = shares.metric_id
        and spine.reporting_year = shares.reporting_year
)

select {{ metric_output_columns() }}
from resolved
