-- The CRM's MQL marking against the score's, in one small table: for each band the score was in
-- when the CRM marked the lead MQL (`none`: the CRM never did) and whether the score ever
-- crossed the MQL threshold, how many leads. Every cell is present, empty ones with 0.
with

comparison as (

    select * from {{ ref('lead_mql_comparison') }}

),

cells as (

    {%- set cells = [
        ('hot', 1, true), ('mql', 2, true), ('warm', 3, true), ('nurture', 4, true), ('none', 5, false),
    ] %}
    {%- for band, band_order, has_crm_mql in cells %}
        {%- for has_score_mql in [true, false] %}
            select
                '{{ band }}' as band_at_crm_mql,
                {{ band_order }} as band_order,
                {{ has_crm_mql }} as has_crm_mql,
                {{ has_score_mql }} as has_score_mql
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

counted as (

    select
        coalesce(band_at_crm_mql, 'none') as band_at_crm_mql,
        crm_mql_at is not null as has_crm_mql,
        score_mql_at is not null as has_score_mql,
        count(*) as lead_count,
        {{ percentile('hours_score_after_crm', 0.5) }} as median_hours_score_after_crm
    from comparison
    group by 1, 2, 3

),

totals as (

    select
        count(*) as all_leads,
        sum(case when crm_mql_at is not null then 1 else 0 end) as crm_mqls
    from comparison

)

select
    cells.band_at_crm_mql,
    cast(cells.band_order as integer) as band_order,
    cells.has_crm_mql,
    cells.has_score_mql,
    case
        when cells.has_crm_mql and cells.has_score_mql then 'both'
        when cells.has_crm_mql then 'crm_only'
        when cells.has_score_mql then 'score_only'
        else 'neither'
    end as agreement,
    cast(coalesce(counted.lead_count, 0) as bigint) as lead_count,
    case
        when totals.all_leads > 0 then cast(coalesce(counted.lead_count, 0) as {{ type_double() }}) / totals.all_leads
    end as share_of_leads,
    case
        when cells.has_crm_mql and totals.crm_mqls > 0
            then cast(coalesce(counted.lead_count, 0) as {{ type_double() }}) / totals.crm_mqls
    end as share_of_crm_mqls,
    counted.median_hours_score_after_crm
from cells
cross join totals
left join counted
    on
        cells.band_at_crm_mql = counted.band_at_crm_mql
        and cells.has_crm_mql = counted.has_crm_mql
        and cells.has_score_mql = counted.has_score_mql
