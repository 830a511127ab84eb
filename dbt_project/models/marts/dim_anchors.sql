-- One row per anchor institution: every declared anchor (impact.toml [[anchors]]) and every
-- publisher of loaded payments, with whether it is declared, whether it is based in the area, and
-- the span of its loaded payments. The orchestration's ingest refuses payments from undeclared
-- publishers, so an undeclared row means payments loaded some other way (e.g. the library alone).
with declared as (
    {{ declared_anchors() }}
),

payments as (
    select
        anchor,
        count(*) as payment_lines,
        min(payment_date) as first_payment_on,
        max(payment_date) as last_payment_on
    from {{ ref('stg_spend__payments') }}
    group by anchor
),

anchors as (
    select anchor from declared
    union
    select anchor from payments
)

select
    anchors.anchor,
    declared.anchor is not null as is_declared,
    declared.is_in_area,
    coalesce(payments.payment_lines, 0) as payment_lines,
    payments.first_payment_on,
    payments.last_payment_on
from anchors
left join declared on anchors.anchor = declared.anchor
left join payments on anchors.anchor = payments.anchor
