{#- Table and view models on DuckDB: the old relation dropped and the new one created in one
    transaction. dbt's own materializations create the new relation under another name, rename
    the old one away and the new one in, and drop the old one after the commit (a table model also
    looks its indexes up first): four statements where these have a drop, each with dbt's Python
    around it (docs/incremental.md, "dbt's cost per node"). DuckDB's DDL is transactional, so
    readers of this file see the old relation or the new one, and a failing select leaves the old
    one in place (the rollback). Contracts, indexes, grants, hooks and persisted docs as in
    dbt-duckdb's; not foreign keys, DuckLake or Python models, which this project does not use. -#}

{% materialization table, adapter='duckdb', supported_languages=['sql'] %}
    {{ return(replace_in_one_transaction(this.incorporate(type='table'), pre_hooks, post_hooks)) }}
{% endmaterialization %}

{% materialization view, adapter='duckdb', supported_languages=['sql'] %}
    {{ return(replace_in_one_transaction(this.incorporate(type='view'), pre_hooks, post_hooks)) }}
{% endmaterialization %}

{% macro replace_in_one_transaction(target_relation, pre_hooks, post_hooks) %}
    {%- set existing_relation = load_cached_relation(target_relation) -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if existing_relation is not none %}
        {#- auto_begin: the drop belongs to the transaction that creates the new relation -#}
        {% call statement('drop_existing', auto_begin=True) -%}
            {{ get_drop_sql(existing_relation) }}
        {%- endcall %}
    {%- endif %}
    {#- rendered here, after the pre-hooks, as dbt's materializations do (a contract's checks query) -#}
    {% call statement('main') -%}
        {%- if target_relation.is_view -%}
            {{ get_create_view_as_sql(target_relation, compiled_code) }}
        {%- else -%}
            {{ create_table_as(False, target_relation, compiled_code) }}
        {%- endif -%}
    {%- endcall %}

    {% do create_indexes(target_relation) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing_relation, full_refresh_mode=True)) %}
    {% do persist_docs(target_relation, model) %}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmacro %}
