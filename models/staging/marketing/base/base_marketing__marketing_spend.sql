-- Every raw spend row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ source('marketing', 'marketing_spend') }}

),

typed as (

    select
        _source_file,
        _source_row,
        {{ clean_text('spend_id') }} as spend_id,
        {{ parse_date('spend_month') }} as spend_month,
        {{ normalize_enum('lead_source') }} as lead_source,
        {{ normalize_enum('channel') }} as channel,
        {{ parse_number('amount') }} as amount,
        {{ first_occurrence(clean_text('spend_id')) }} as id_occurrence
    from source

)

select
    *,
    case
        when spend_id is null then 'null_id'
        when id_occurrence > 1 then 'duplicate_id'
        when spend_month is null then 'unparseable_date'
        when amount is null or amount < 0 then 'invalid_amount'
        when not coalesce({{ accepted('leads', 'lead_source', 'lead_source') }}, false) then 'unknown_lead_source'
        when not coalesce({{ accepted('leads', 'channel', 'channel') }}, false) then 'unknown_channel'
    end as quarantine_reason
from typed
