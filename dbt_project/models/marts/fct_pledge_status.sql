-- One row per pledge and reporting year: its status at the year end.
select * from {{ ref('int_charter__pledge_status_at_year_end') }}
