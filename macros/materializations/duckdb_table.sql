{% materialization table, adapter='duckdb', supported_languages=['sql'] %}
    {#- A table model on DuckDB: the old table dropped and the new one created in one transaction.
        dbt-duckdb's own materialization creates the new table under another name, looks for
        indexes, renames the old table away and the new one in, commits and drops the old one:
        four statements where this one has a drop, each with dbt's Python around it. DuckDB's DDL is transactional, so readers of this file see the old table or
        the new one, and a failing select leaves the old table in place (the rollback). Contracts,
        indexes, grants, hooks and persisted docs as in dbt-duckdb's; not foreign keys, DuckLake
        or Python models, which this project does not use. (docs/incremental.md, "dbt's cost per
        node") -#}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if existing_relation is not none %}
        {#- auto_begin: the drop belongs to the transaction that creates the new table -#}
        {% call statement('drop_existing', auto_begin=True) -%}
            {{ get_drop_sql(existing_relation) }}
        {%- endcall %}
    {%- endif %}
    {% call statement('main') -%}
        {{ create_table_as(False, target_relation, compiled_code) }}
    {%- endcall %}

    {% do create_indexes(target_relation) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing_relation, full_refresh_mode=True)) %}
    {% do persist_docs(target_relation, model) %}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
