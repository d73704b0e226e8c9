-- Contract `campaigns` from Salesforce campaigns: lead_source = the campaign Type as the org spells
-- it (e.g. 'Webinar', 'Trade Show'), channel = a custom field (var
-- salesforce_campaign_custom_fields), started_at / ended_at = the start and end days (midnight
-- UTC).
{%- set text = dbt.type_string() -%}
{%- set iso = "replace(cast(%s as " ~ text ~ "), ' ', 'T')" %}

with

campaigns as (

    select * from {{ ref('stg_salesforce__campaign') }}

)

select
    cast(campaign_id as {{ text }}) as campaign_id,
    cast(campaign_name as {{ text }}) as campaign_name,
    cast(type as {{ text }}) as lead_source,
    cast(channel as {{ text }}) as channel,
    {{ iso | format('cast(start_date as ' ~ dbt.type_timestamp() ~ ')') }} as started_at,
    {{ iso | format('cast(end_date as ' ~ dbt.type_timestamp() ~ ')') }} as ended_at,
    cast('salesforce.campaign' as {{ text }}) as _source_file,
    cast(row_number() over (order by campaign_id) as {{ dbt.type_bigint() }}) as _source_row
from campaigns
