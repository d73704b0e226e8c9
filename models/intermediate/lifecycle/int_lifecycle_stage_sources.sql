-- Who the lifecycle follows for each stage (seeds/lifecycle/stage_sources.csv), one row per
-- trigger the stage's policy decides on: the CRM's record of the stage (crm_<stage>) and the
-- warehouse's own derivation of it (score crossing, SDR accept, discovery checklist, opportunity
-- rows, …). Triggers no stage lists (`captured`, `requalified`) are always followed.
-- An invalid policy fails the build naming the stage.
{%- set policies = ['crm_record_else_warehouse', 'warehouse', 'crm_record', 'first_of_both'] %}
{{ assert_valid_config('stage_sources', 'stage', [
    ("source_policy is null or source_policy not in ('" ~ policies | join("', '") ~ "')",
        "unknown source_policy (allowed: " ~ policies | join(', ') ~ ")"),
    ("source_policy = 'crm_record' and crm_trigger is null",
        "source_policy crm_record on a stage the CRM does not record (no crm_trigger): nothing could enter it"),
]) }}
with

sources as (

    select * from {{ ref('stage_sources') }}

),

warehouse_triggers as (

    select
        stage,
        source_policy,
        trim(trigger_name) as trigger_name
    from (
        select
            stage,
            source_policy,
            {{ split_to_rows('warehouse_triggers', '|') }} as trigger_name
        from sources
        where warehouse_triggers is not null
    ) as listed

)

select
    stage,
    source_policy,
    trigger_name,
    'warehouse' as trigger_source
from warehouse_triggers

union all

select
    stage,
    source_policy,
    crm_trigger as trigger_name,
    'crm' as trigger_source
from sources
where crm_trigger is not null
