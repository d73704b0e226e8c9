-- Every code the dashboards show has a label in seeds/reference/display_labels.csv: the
-- canonical values of the labelled picklists, every value the leads mart holds, every lifecycle
-- trigger (the lead explorer's stage timeline) and every score change type (its ledger). Returns
-- the codes without a label.
{%- set lead_dimensions = [
    'lead_source', 'channel', 'motion', 'segment', 'region', 'fit_tier', 'score_band', 'intent_band'
] %}
with

codes as (

    select
        column_name as dimension,
        canonical_value as code
    from {{ ref('canonical_values') }}
    where
        (source_table = 'leads' and column_name in ('lead_source', 'channel', 'motion'))
        or (source_table = 'accounts' and column_name = 'region')
    {%- for dimension in lead_dimensions %}
        union
        select distinct
            '{{ dimension }}' as dimension,
            {{ dimension }} as code
        from {{ ref('leads') }}
        where {{ dimension }} is not null
    {%- endfor %}
    union
    select
        'stage_trigger' as dimension,
        trigger_name as code
    from {{ ref('lifecycle_trigger_order') }}
    union
    select distinct
        'score_change_type' as dimension,
        change_type as code
    from {{ ref('lead_score_changes') }}

),

labels as (

    select * from {{ ref('display_labels') }}

)

select codes.*
from codes
left join labels on codes.dimension = labels.dimension and codes.code = labels.code
where labels.code is null
