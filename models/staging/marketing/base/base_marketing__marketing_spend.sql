-- Every raw spend row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ crm_input('marketing_spend') }}

),

typed as {{ evaluated_once() }} (

    select
        _source_file,
        _source_row,
        {{ clean_text('spend_id') }} as spend_id,
        {{ parse_date('spend_month') }} as spend_month,
        {{ map_picklist('leads', 'lead_source', normalize_enum('lead_source')) }} as lead_source,
        {{ clean_text('lead_source') }} as lead_source_raw,
        {{ map_picklist('leads', 'channel', normalize_enum('channel')) }} as channel,
        {{ clean_text('channel') }} as channel_raw,
        {{ parse_number('amount') }} as amount,
        {{ content_hash(['spend_id', 'spend_month', 'lead_source', 'channel', 'amount']) }} as content_hash
    from source

),

versioned as (

    select
        *,
        {{ version_columns('spend_id') }}
    from typed

)

select
    *,
    case
        when spend_id is null then 'null_id'
        when id_occurrence > 1 then {{ duplicate_reason() }}
        when spend_month is null then 'unparseable_date'
        when {{ is_implausible_timestamp('spend_month') }} then 'implausible_timestamp'
        when amount is null then 'invalid_number'
        when amount < 0 then 'invalid_amount'
    end as quarantine_reason
from versioned
