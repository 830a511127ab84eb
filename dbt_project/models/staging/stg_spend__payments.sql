-- One row per payment line; no business key (repeated lines are genuine), so the key is the source file and row.
-- Staging: rename and cast only (no joins, no filters).
select
    -- surrogate key: the line's file and row (repeated lines are genuine, so no content key)
    {{ dbt.hash(dbt.concat(['_file_sha256', "'|'", 'cast(_row_number as ' ~ dbt.type_string() ~ ')'])) }} as payment_id,
    cast({{ declared_anchor_name('anchor') }} as {{ dbt.type_string() }}) as anchor,  -- a renamed anchor's old name follows it
    cast(payment_date as date) as payment_date,
    cast(transaction_ref as {{ dbt.type_string() }}) as transaction_ref,
    cast(supplier_name as {{ dbt.type_string() }}) as supplier_name,
    cast(supplier_ref as {{ dbt.type_string() }}) as supplier_ref,
    cast(amount_gbp as decimal(18, 2)) as amount_gbp,
    cast(expense_category as {{ dbt.type_string() }}) as expense_category,
    cast(service_area as {{ dbt.type_string() }}) as service_area,
    cast(capital_or_revenue as {{ dbt.type_string() }}) as capital_or_revenue,
    cast(supplier_postcode as {{ dbt.type_string() }}) as supplier_postcode,
    _source_file,
    _file_sha256,
    _row_number,
    _load_id,
    _loaded_at
from {{ source('raw', 'spend__payments') }}
