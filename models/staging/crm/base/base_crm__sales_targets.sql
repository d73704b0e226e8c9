-- Every raw sales target row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ crm_input('sales_targets') }}

),

typed as {{ evaluated_once() }} (

    select
        _source_file,
        _source_row,
        {{ clean_text('target_id') }} as target_id,
        {{ parse_date('target_month') }} as target_month,
        {{ clean_text('team_id') }} as team_id,
        {{ parse_number('bookings_target') }} as bookings_target,
        {{ parse_number('pipeline_target') }} as pipeline_target,
        {{ content_hash(['target_id', 'target_month', 'team_id', 'bookings_target', 'pipeline_target']) }}
            as content_hash
    from source

),

versioned as (

    select
        *,
        {{ version_columns('target_id') }}
    from typed

)

select
    *,
    case
        when target_id is null then 'null_id'
        when id_occurrence > 1 then {{ duplicate_reason() }}
        when target_month is null then 'unparseable_date'
        when {{ is_implausible_timestamp('target_month') }} then 'implausible_timestamp'
        when bookings_target is null or pipeline_target is null then 'invalid_number'
        when bookings_target < 0 or pipeline_target < 0 then 'invalid_amount'
    end as quarantine_reason
from versioned
