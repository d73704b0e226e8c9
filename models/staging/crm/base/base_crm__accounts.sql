-- Every raw account row, typed, with the reason it cannot be staged (null when it can). An
-- incremental build stages again only the ids base_crm__restaged_accounts lists
-- (macros/incremental_by_key.sql).
{{ config_incremental_by_key('base_crm__restaged_accounts', 'account_id') }}
with

source as (

    {{ restaged_input_rows('accounts', 'base_crm__restaged_accounts', 'account_id') }}

),

typed as {{ evaluated_once() }} (

    select
        _source_file,
        _source_row,
        {{ batch_id_column() }} as _batch_id,
        {{ clean_text('account_id') }} as account_id,
        lower({{ clean_text('domain') }}) as domain,
        {{ clean_text('account_name') }} as account_name,
        {{ normalize_enum('industry') }} as industry,
        {{ parse_integer('employee_count') }} as employee_count_number,
        {{ clean_text('employee_count') }} as employee_count_raw,
        {{ parse_number('annual_revenue') }} as annual_revenue,
        {{ clean_text('annual_revenue') }} as annual_revenue_raw,
        upper({{ clean_text('country') }}) as country,
        {{ map_picklist('accounts', 'region', normalize_enum('region')) }} as region,
        {{ clean_text('region') }} as region_raw,
        lower({{ clean_text('tech_stack') }}) as tech_stack,
        {{ parse_timestamp('updated_at') }} as updated_at,
        {{ content_hash(['account_id', 'domain', 'account_name', 'industry', 'employee_count', 'annual_revenue',
            'country', 'region', 'tech_stack', 'updated_at']) }} as content_hash
    from source

),

versioned as (

    select
        *,
        {{ version_columns('account_id', 'updated_at') }}
    from typed

)

select
    *,
    case
        when account_id is null then 'null_id'
        when id_occurrence > 1 then {{ duplicate_reason() }}
        -- employee counts are whole numbers from 0 to 100 million
        when employee_count_raw is not null and employee_count_number is null then 'invalid_employee_count'
        when annual_revenue_raw is not null and (annual_revenue is null or annual_revenue < 0) then 'invalid_number'
    end as quarantine_reason
from versioned
