-- Contacts (Contact object), not deleted: renamed and typed. 1:1 with salesforce.contact. A column
-- the connector did not sync (a field the org does not have) is null.
{#- custom fields: contract meaning -> Salesforce field (override: var salesforce_contact_custom_fields) -#}
{%- set custom = {'channel': 'channel__c', 'motion': 'motion__c'} -%}
{%- do custom.update(var('salesforce_contact_custom_fields', {})) -%}
{%- set columns = [
    ('id', 'contact_id', 'string'),
    ('created_date', 'created_at', 'timestamp'),
    ('last_modified_date', 'updated_at', 'timestamp'),
    ('email', 'email', 'string'),
    ('first_name', 'first_name', 'string'),
    ('last_name', 'last_name', 'string'),
    ('title', 'title', 'string'),
    ('account_id', 'account_id', 'string'),
    ('lead_source', 'lead_source', 'string'),
    ('owner_id', 'owner_id', 'string'),
    ('has_opted_out_of_email', 'has_opted_out_of_email', 'boolean'),
    ('mailing_country_code', 'mailing_country_code', 'string'),
    ('mailing_country', 'mailing_country', 'string'),
    (custom['channel'], 'channel', 'string'),
    (custom['motion'], 'motion', 'string'),
] -%}
{%- set source_relation = source('salesforce', 'contact') -%}
{%- set present = {} -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(source_relation) -%}
        {%- do present.update({column.name | lower: column.name}) -%}
    {%- endfor -%}
{%- endif -%}
{#- soft deletes (is_deleted, _fivetran_deleted) and old history-mode versions -#}
{%- set excluded = [] -%}
{%- for flag, kept in [('is_deleted', 'false'), ('_fivetran_deleted', 'false'), ('_fivetran_active', 'true')] -%}
    {%- if flag in present -%}
        {%- set value = 'coalesce(cast(' ~ adapter.quote(present[flag]) ~ ' as ' ~ dbt.type_boolean() ~ '), ' ~ kept ~ ')' -%}
        {%- do excluded.append(value if kept == 'false' else 'not ' ~ value) -%}
    {%- endif -%}
{%- endfor -%}
{%- set types = {
    'string': dbt.type_string(), 'timestamp': dbt.type_timestamp(), 'date': 'date',
    'boolean': dbt.type_boolean(), 'number': type_double(), 'integer': dbt.type_bigint(),
} %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    select
        {%- for name, alias, type in columns %}
            {%- set expression = adapter.quote(present[name | lower]) if name | lower in present else 'null' %}
            cast({{ expression }} as {{ types[type] }}) as {{ alias }},
        {%- endfor %}
        {{ excluded | join(' or ') if excluded else 'false' }} as is_excluded
    from source

)

select
    contact_id,
    created_at,
    updated_at,
    email,
    first_name,
    last_name,
    title,
    account_id,
    lead_source,
    owner_id,
    has_opted_out_of_email,
    mailing_country_code,
    mailing_country,
    channel,
    motion
from renamed
where not is_excluded
