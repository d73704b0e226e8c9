-- Every raw campaign row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ crm_input('campaigns') }}

),

typed as {{ evaluated_once() }} (

    select
        _source_file,
        _source_row,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('campaign_name') }} as campaign_name,
        {{ map_picklist('leads', 'lead_source', normalize_enum('lead_source')) }} as lead_source,
        {{ clean_text('lead_source') }} as lead_source_raw,
        {{ map_picklist('leads', 'channel', normalize_enum('channel')) }} as channel,
        {{ clean_text('channel') }} as channel_raw,
        {{ parse_timestamp('started_at') }} as started_at,
        {{ clean_text('started_at') }} as started_at_raw,
        {{ parse_timestamp('ended_at') }} as ended_at,
        {{ content_hash(['campaign_id', 'campaign_name', 'lead_source', 'channel', 'started_at', 'ended_at']) }}
            as content_hash
    from source

),

versioned as (

    select
        *,
        {{ version_columns('campaign_id') }}
    from typed

)

select
    *,
    case
        when campaign_id is null then 'null_id'
        when id_occurrence > 1 then {{ duplicate_reason() }}
        when started_at_raw is not null and started_at is null then 'unparseable_timestamp'
        when {{ is_implausible_timestamp('started_at') }} then 'implausible_timestamp'
    end as quarantine_reason
from versioned
