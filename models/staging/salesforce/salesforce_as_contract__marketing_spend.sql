-- Contract `marketing_spend` in the Salesforce shape. Salesforce has no marketing spend: the
-- contract table beside it, source marketing.marketing_spend (schema LEAD_RAW_SCHEMA).

with

source as (

    select * from {{ source('marketing', 'marketing_spend') }}

)

select
    spend_id,
    spend_month,
    lead_source,
    channel,
    amount,
    _source_file,
    _source_row
from source
