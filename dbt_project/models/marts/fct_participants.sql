-- One row per programme participant (pseudonymised key), located, with outcome summary.
select * from {{ ref('int_programme__participant_journeys') }}
