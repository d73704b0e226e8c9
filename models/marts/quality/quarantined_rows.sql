-- Every raw row that could not be staged, with the reason. Together with the staging models
-- this accounts for every raw row (see raw_row_reconciliation and its test). The input
-- tables are listed once, in macros/inputs.sql.
{% for input in input_tables() %}
    select
        {{ surrogate_key(["'" ~ input.table ~ "'", '_source_file', '_source_row']) }} as quarantined_row_id,
        '{{ input.table }}' as source_table,
        _source_file as source_file,
        cast(_source_row as bigint) as source_row,
        {{ input.id }} as record_id,
        quarantine_reason
    from {{ ref(input.base) }}
    where quarantine_reason is not null
    {% if not loop.last %}union all{% endif %}
{% endfor %}
