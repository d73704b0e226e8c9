{#- Incremental models on DuckDB: the project's two strategies (macros/incremental_by_lead.sql,
    incremental_by_key.sql) without a copy of the new rows. dbt-duckdb's materialization writes
    every run's new rows into a temporary table, looks up the columns of both tables twice, then
    copies the rows over (and rebuilds a full refresh under another name, with two renames). Here:
    - a first build or a full refresh replaces the table in one transaction (duckdb_replace.sql);
    - `append` (a pre-hook deleted the changed leads' or keys' rows) inserts the select's rows
      straight into the table, in the transaction of the delete;
    - `delete+insert` (the change models, whose select reads the table itself, so it must run
      before the delete) keeps the temporary table.
    The select's columns are checked against the table's first, names and types, as
    on_schema_change='fail' does (a changed model makes leadwarehouse.build a full refresh anyway;
    this catches a `dbt build` by hand), and against the model's contract where it has one.
    Measured at 1M leads: the copies were 1.4 s and the column lookups 0.4 s of an hourly refresh's
    ~57 s of statements (docs/incremental.md, "dbt's cost per node"). -#}

{% materialization incremental, adapter='duckdb', supported_languages=['sql'] %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- if existing_relation is none or existing_relation.is_view or should_full_refresh() -%}
        {{ return(replace_in_one_transaction(target_relation, pre_hooks, post_hooks)) }}
    {%- endif -%}
    {%- set strategy = config.get('incremental_strategy') or 'append' -%}
    {%- if strategy not in ('append', 'delete+insert') -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy '" ~ strategy ~ "' of " ~ model.name ~ ": this project's DuckDB incremental "
            ~ "materialization (macros/materializations/duckdb_incremental.sql) does append and delete+insert") }}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if strategy == 'append' %}
        {%- set columns = get_quoted_csv(checked_columns(existing_relation, compiled_code) | map(attribute='name')) %}
        {#- auto_begin: in the pre-hook's transaction when there is one -#}
        {% call statement('main', auto_begin=True) -%}
            insert into {{ target_relation }} ({{ columns }})
            select {{ columns }} from (
                {{ compiled_code }}
            ) as new_rows
        {%- endcall %}
    {%- else %}
        {%- set temp_relation = make_temp_relation(target_relation) %}
        {% do run_query(create_table_as(True, temp_relation, compiled_code)) %}
        {%- set columns = checked_columns(existing_relation, 'select * from ' ~ temp_relation) %}
        {% call statement('main', auto_begin=True) -%}
            {{ get_delete_insert_merge_sql(target_relation, temp_relation, config.get('unique_key'), columns, none) }}
        {%- endcall %}
    {%- endif %}

    {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing_relation, full_refresh_mode=False)) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {%- if strategy != 'append' %}
        {% do adapter.drop_relation(temp_relation) %}
    {%- endif %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% macro checked_columns(existing_relation, select_sql) %}
    {#- The columns of `existing_relation`, after checking that `select_sql` gives the same ones
        (names and types, in any order; on_schema_change `ignore` checks nothing) and the model's
        contract (where enforced). -#}
    {%- if config.get('contract').enforced %}
        {{ get_assert_columns_equivalent(select_sql) }}
    {%- endif %}
    {%- set stored = adapter.get_columns_in_relation(existing_relation) %}
    {%- if (config.get('on_schema_change') or 'ignore') != 'ignore' %}
        {%- set described = column_signatures(adapter.get_column_schema_from_query(get_empty_subquery_sql(select_sql))) %}
        {%- set expected = column_signatures(stored) %}
        {%- if described != expected %}
            {{ exceptions.raise_compiler_error(
                "The columns of " ~ model.name ~ " (" ~ described | join(', ') ~ ") differ from those of the stored table "
                ~ existing_relation ~ " (" ~ expected | join(', ') ~ "): on_schema_change '"
                ~ config.get('on_schema_change') ~ "'. Rebuild it with --full-refresh.") }}
        {%- endif %}
    {%- endif %}
    {{ return(stored) }}
{% endmacro %}

{% macro column_signatures(columns) %}
    {#- "name type" of each column, lower case, sorted: what checked_columns compares. -#}
    {%- set signatures = [] %}
    {%- for column in columns %}{% do signatures.append(column.name | lower ~ ' ' ~ column.dtype | lower) %}{% endfor %}
    {{ return(signatures | sort) }}
{% endmacro %}
