{#- PostgreSQL only. An unbounded `varchar` and `text` are one type there, but dbt reports them
    apart: a contracted incremental model's table is created with the contract's `varchar`
    columns, while the rows of an incremental run (md5(), ||, a text column) come as `text`, and
    on_schema_change='fail' then stops the run on a change that is none. Columns are reported
    as dbt-postgres reports them, with an unbounded `character varying` read as `text`. -#}
{% macro postgres__get_columns_in_relation(relation) -%}
    {% call statement('get_columns_in_relation', fetch_result=True) %}
        select
            column_name,
            case
                when data_type = 'character varying' and character_maximum_length is null then 'text'
                else data_type
            end as data_type,
            character_maximum_length,
            numeric_precision,
            numeric_scale
        from {{ relation.information_schema('columns') }}
        where table_name = '{{ relation.identifier }}'
            {% if relation.schema %}
                and table_schema = '{{ relation.schema }}'
            {% endif %}
        order by ordinal_position
    {% endcall %}
    {% set table = load_result('get_columns_in_relation').table %}
    {{ return(sql_convert_columns_in_relation(table)) }}
{%- endmacro %}
