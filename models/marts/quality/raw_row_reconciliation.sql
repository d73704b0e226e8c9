-- Row counts per raw table: raw = staged + quarantined must hold for every table
-- (tested in _quality__models.yml). Nothing is silently lost. Base models hold every raw row
-- (they are 1:1 with the sources), so they stand in for the raw tables here; ingest checks
-- that the raw tables hold every row of the landing files.


with

quarantined as (

    select
        source_table,
        count(*) as quarantined_rows
    from {{ ref('quarantined_rows') }}
    group by source_table

),

counts as (

    {% for input in input_tables() %}
        select
            '{{ input.table }}' as source_table,
            (select count(*) from {{ ref(input.base) }}) as raw_rows,
            (select count(*) from {{ ref(input.staged) }}) as staged_rows
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
