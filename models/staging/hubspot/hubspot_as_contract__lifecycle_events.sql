-- Contract `lifecycle_events` from HubSpot's lifecycle-stage date properties: one row per
-- contact and non-null "Became a <stage> date" (hs_lifecyclestage_<stage>_date), id =
-- contact id || ':' || stage, stage as HubSpot spells it (e.g. marketingqualifiedlead).
{%- set text = dbt.type_string() -%}
{%- set iso = "replace(cast(%s as " ~ text ~ "), ' ', 'T')" -%}
{%- set stages = [
    'subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead',
    'opportunity', 'customer', 'evangelist', 'other',
] %}

with

contacts as (

    select * from {{ ref('stg_hubspot__contact') }}

),

stage_dates as (

    {%- for stage in stages %}
        select
            contact_id,
            '{{ stage }}' as stage,
            became_{{ stage }}_at as occurred_at
        from contacts
        where became_{{ stage }}_at is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    cast({{ dbt.concat(["contact_id", "':'", "stage"]) }} as {{ text }}) as lifecycle_event_id,
    cast(contact_id as {{ text }}) as lead_id,
    cast(stage as {{ text }}) as stage,
    {{ iso | format('occurred_at') }} as occurred_at,
    cast('hubspot' as {{ text }}) as source_system,
    cast('hubspot.contact' as {{ text }}) as _source_file,
    cast(row_number() over (order by contact_id, stage) as {{ dbt.type_bigint() }}) as _source_row
from stage_dates
