-- Every raw campaign row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ source('marketing', 'campaigns') }}

),

typed as (

    select
        _source_file,
        _source_row,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('campaign_name') }} as campaign_name,
        {{ normalize_enum('lead_source') }} as lead_source,
        {{ normalize_enum('channel') }} as channel,
        {{ parse_timestamp('started_at') }} as started_at,
        {{ parse_timestamp('ended_at') }} as ended_at,
        {{ first_occurrence(clean_text('campaign_id')) }} as id_occurrence
    from source

)

select
    *,
    case
        when campaign_id is null then 'null_id'
        when id_occurrence > 1 then 'duplicate_id'
        when started_at is null then 'unparseable_timestamp'
        when not coalesce({{ accepted('leads', 'lead_source', 'lead_source') }}, false) then 'unknown_lead_source'
        when not coalesce({{ accepted('leads', 'channel', 'channel') }}, false) then 'unknown_channel'
    end as quarantine_reason
from typed
