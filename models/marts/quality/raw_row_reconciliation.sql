-- Row counts per raw table: raw = staged + quarantined must hold for every table
-- (tested in _quality__models.yml). Nothing is silently lost. Base models hold every raw row
-- (they are 1:1 with the sources), so they stand in for the raw tables here.
{% set reconciled = [
    ('leads', 'base_crm__leads', 'stg_crm__leads'),
    ('accounts', 'base_crm__accounts', 'stg_crm__accounts'),
    ('sales_activities', 'base_crm__sales_activities', 'stg_crm__sales_activities'),
    ('opportunities', 'base_crm__opportunities', 'stg_crm__opportunities'),
    ('reps', 'base_crm__reps', 'stg_crm__reps'),
    ('teams', 'base_crm__teams', 'stg_crm__teams'),
    ('territories', 'base_crm__territories', 'stg_crm__territories'),
    ('sales_targets', 'base_crm__sales_targets', 'stg_crm__sales_targets'),
    ('marketing_events', 'base_marketing__marketing_events', 'stg_marketing__marketing_events'),
    ('campaigns', 'base_marketing__campaigns', 'stg_marketing__campaigns'),
    ('marketing_spend', 'base_marketing__marketing_spend', 'stg_marketing__marketing_spend')
] %}

with

quarantined as (

    select
        source_table,
        count(*) as quarantined_rows
    from {{ ref('quarantined_rows') }}
    group by source_table

),

counts as (

    {% for table_name, base_model, staging_model in reconciled %}
        select
            '{{ table_name }}' as source_table,
            (select count(*) from {{ ref(base_model) }}) as raw_rows,
            (select count(*) from {{ ref(staging_model) }}) as staged_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    counts.source_table,
    cast(counts.raw_rows as bigint) as raw_rows,
    cast(counts.staged_rows as bigint) as staged_rows,
    cast(coalesce(quarantined.quarantined_rows, 0) as bigint) as quarantined_rows,
    counts.raw_rows = counts.staged_rows + coalesce(quarantined.quarantined_rows, 0) as is_reconciled
from counts
left join quarantined on counts.source_table = quarantined.source_table
