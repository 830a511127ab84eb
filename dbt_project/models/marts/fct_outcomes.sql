-- One row per programme outcome, with reporting year and the participant's district and decile.
select * from {{ ref('int_programme__outcomes_located') }}
