-- Calendar events (meetings), not deleted: renamed and typed. 1:1 with salesforce.event. A column
-- the connector did not sync (a field the org does not have) is null.
{%- set columns = [
    ('id', 'event_id', 'string'),
    ('who_id', 'who_id', 'string'),
    ('owner_id', 'owner_id', 'string'),
    ('type', 'type', 'string'),
    ('subject', 'subject', 'string'),
    ('description', 'description', 'string'),
    ('created_date', 'created_at', 'timestamp'),
    ('start_date_time', 'started_at', 'timestamp'),
    ('end_date_time', 'ended_at', 'timestamp'),
] -%}
{%- set source_relation = source('salesforce', 'event') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    event_id,
    who_id,
    owner_id,
    type,
    subject,
    description,
    created_at,
    started_at,
    ended_at
from renamed
where not is_excluded
