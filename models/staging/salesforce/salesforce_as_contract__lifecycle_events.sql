-- Contract `lifecycle_events` from Salesforce: every lead Status change in lead_history (stage =
-- the new status as the org spells it, e.g. 'Working - Contacted'), and every conversion:
-- 'Converted to Opportunity' (an opportunity was created) or 'Converted' at the leadConverted
-- history row, else at the ConvertedDate (a day, no time) when history is not tracked. The
-- Status change into a converted lead's final (converted) status is the conversion itself and
-- is not delivered twice.
{%- set text = dbt.type_string() -%}
{%- set iso = "replace(cast(%s as " ~ text ~ "), ' ', 'T')" %}

with

leads as (

    select * from {{ ref('stg_salesforce__lead') }}

),

lead_history as (

    select * from {{ ref('stg_salesforce__lead_history') }}

),

conversion_rows as (

    select lead_id
    from lead_history
    where field = 'leadConverted'
    group by lead_id

),

stage_records as (

    select
        lead_history.history_id as lifecycle_event_id,
        lead_history.lead_id,
        case
            when lead_history.field = 'leadConverted' and leads.converted_opportunity_id is not null
                then 'Converted to Opportunity'
            when lead_history.field = 'leadConverted' then 'Converted'
            else lead_history.new_value
        end as stage,
        lead_history.created_at as occurred_at,
        'salesforce.lead_history' as _source_file,
        row_number() over (order by lead_history.history_id) as _source_row
    from lead_history
    left join leads on lead_history.lead_id = leads.lead_id
    where
        lead_history.field = 'leadConverted'
        or (
            lead_history.field = 'Status'
            and not (coalesce(leads.is_converted, false) and lead_history.new_value = leads.status)
        )

    union all

    select
        {{ dbt.concat(["leads.lead_id", "':converted'"]) }} as lifecycle_event_id,
        leads.lead_id,
        case when leads.converted_opportunity_id is not null then 'Converted to Opportunity' else 'Converted' end
            as stage,
        cast(leads.converted_date as {{ dbt.type_timestamp() }}) as occurred_at,
        'salesforce.lead' as _source_file,
        row_number() over (order by leads.lead_id) as _source_row
    from leads
    left join conversion_rows on leads.lead_id = conversion_rows.lead_id
    where leads.is_converted and leads.converted_date is not null and conversion_rows.lead_id is null

)

select
    cast(lifecycle_event_id as {{ text }}) as lifecycle_event_id,
    cast(lead_id as {{ text }}) as lead_id,
    cast(stage as {{ text }}) as stage,
    {{ iso | format('occurred_at') }} as occurred_at,
    cast('salesforce' as {{ text }}) as source_system,
    cast(_source_file as {{ text }}) as _source_file,
    -- numbered across the connector tables it unions: by table, then by the row's number in it
    cast(row_number() over (order by _source_file, _source_row) as {{ dbt.type_bigint() }})
        as _source_row
from stage_records
