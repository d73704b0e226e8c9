-- What the build could not take as delivered, per input table: rows quarantined (by reason),
-- picklist values no spelling matched (by column, mapped to 'other'), each with a few example
-- ids or raw values so an analyst can find them in the export, and in a connector shape the
-- soft-deleted connector rows the adapter excluded (by connector table).
with

quarantined as (

    select
        source_table,
        quarantine_reason,
        coalesce(
            record_id,
            {{ dbt.concat(["source_file", "' row '", "cast(source_row as " ~ dbt.type_string() ~ ")"]) }}
        ) as example,
        row_number() over (
            partition by source_table, quarantine_reason order by source_file, source_row
        ) as example_rank
    from {{ ref('quarantined_rows') }}

),

unmapped_values as (

    {% for input in input_tables() if input.enums %}
        {% set outer_loop = loop %}
        {% for column in input.enums %}
            select
                '{{ input.table }}' as source_table,
                '{{ column }}' as column_name,
                {{ column }}_raw as raw_value,
                count(*) as value_rows
            from {{ ref(input.base) }}
            where {{ is_mapped_to_other(column, normalize_enum(column ~ '_raw')) }}
            group by {{ column }}_raw
            {% if not (outer_loop.last and loop.last) %}union all{% endif %}
        {% endfor %}
    {% endfor %}

),

unmapped_ranked as (

    select
        *,
        row_number() over (
            partition by source_table, column_name order by value_rows desc, raw_value asc
        ) as example_rank
    from unmapped_values

)

select
    source_table,
    'quarantined' as issue_kind,
    quarantine_reason as issue,
    cast(count(*) as bigint) as affected_rows,
    {{ dbt.listagg("case when example_rank <= 3 then example end", "', '", "order by example_rank") }}
        as examples
from quarantined
group by source_table, quarantine_reason

union all

select
    source_table,
    'mapped_to_other' as issue_kind,
    column_name as issue,
    cast(sum(value_rows) as bigint) as affected_rows,
    {{ dbt.listagg("case when example_rank <= 3 then raw_value end", "', '", "order by example_rank") }}
        as examples
from unmapped_ranked
group by source_table, column_name
{% if source_shape() != 'contract' %}

    union all

    select
        contract_table as source_table,
        'soft_deleted' as issue_kind,
        connector_table as issue,
        cast(soft_deleted_rows as bigint) as affected_rows,
        cast(null as {{ dbt.type_string() }}) as examples
    from {{ ref(source_shape() ~ '_as_contract__row_counts') }}
    where soft_deleted_rows > 0
{% endif %}
