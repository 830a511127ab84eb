{#- Every local authority code of var area_local_authorities has LSOAs in the IMD seed of the
    configured edition (a code of another vintage, or a typo, would silently shrink the area). -#}
{% test every_configured_local_authority_present(model) %}
{%- set codes = var('area_local_authorities') -%}
{%- if codes is string -%}{%- set codes = [codes] -%}{%- endif -%}
with configured as (
    {% for code in codes -%}
    select {{ sql_string(code) }} as district_code
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}
)
select configured.district_code
from configured
left join {{ model }} as present on configured.district_code = present.district_code
where present.district_code is null
{% endtest %}
