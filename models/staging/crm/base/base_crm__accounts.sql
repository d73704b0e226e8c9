-- Every raw account row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ source('crm', 'accounts') }}

),

typed as (

    select
        _source_file,
        _source_row,
        {{ clean_text('account_id') }} as account_id,
        lower({{ clean_text('domain') }}) as domain,
        {{ clean_text('account_name') }} as account_name,
        {{ normalize_enum('industry') }} as industry,
        {{ parse_number('employee_count') }} as employee_count_number,
        {{ parse_number('annual_revenue') }} as annual_revenue,
        upper({{ clean_text('country') }}) as country,
        {{ normalize_enum('region') }} as region,
        lower({{ clean_text('tech_stack') }}) as tech_stack,
        employee_count as employee_count_raw,
        {{ first_occurrence(clean_text('account_id')) }} as id_occurrence
    from source

)

select
    *,
    case
        when account_id is null then 'null_id'
        when id_occurrence > 1 then 'duplicate_id'
        when employee_count_raw is not null and employee_count_number is null then 'invalid_employee_count'
        when employee_count_number < 0 then 'invalid_employee_count'
        when region is not null and not coalesce({{ accepted('accounts', 'region', 'region') }}, false)
            then 'unknown_region'
    end as quarantine_reason
from typed
