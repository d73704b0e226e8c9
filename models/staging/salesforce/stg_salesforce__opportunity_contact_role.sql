-- Contacts' roles on opportunities (OpportunityContactRole), not deleted. 1:1 with
-- salesforce.opportunity_contact_role. A column the connector did not sync (a field the org does
-- not have) is null.
{%- set columns = [
    ('id', 'contact_role_id', 'string'),
    ('opportunity_id', 'opportunity_id', 'string'),
    ('contact_id', 'contact_id', 'string'),
    ('is_primary', 'is_primary', 'boolean'),
    ('role', 'role', 'string'),
    ('created_date', 'created_at', 'timestamp'),
] -%}
{%- set source_relation = source('salesforce', 'opportunity_contact_role') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    contact_role_id,
    opportunity_id,
    contact_id,
    is_primary,
    role,
    created_at
from renamed
where not is_excluded
