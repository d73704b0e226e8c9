-- Rows per input table of the last successful build (empty before the first one).
select
    source_table,
    cast(input_rows as bigint) as raw_rows,
    run_id
from {{ source('build_meta', 'last_good_input_counts') }}
