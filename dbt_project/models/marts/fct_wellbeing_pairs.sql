-- One row per programme respondent's baseline/follow-up pair (WB05, WB06); the two response ids
-- join fct_responses, whose rows carry the source file and row number.
select * from {{ ref('int_wellbeing__programme_pairs') }}
