{% macro refresh_statistics() -%}
    {#- Post-hook of every table and seed (dbt_project.yml). -#}
    {{ return(adapter.dispatch('refresh_statistics', 'lead_warehouse')()) }}
{%- endmacro %}

{% macro default__refresh_statistics() -%}
    {#- DuckDB keeps its statistics as it writes; Spark plans without them. Nothing to run. -#}
{%- endmacro %}

{% macro postgres__refresh_statistics() -%}
    {#- PostgreSQL has no statistics on a table dbt has just created until autovacuum gets to it,
        so the next model's plan guesses row counts: it chose nested loops that re-ran a
        subquery per row and JIT-compiled queries over a few thousand rows (lead_pipeline_now:
        3.8 s, of which 2.7 s JIT; 0.2 s after `analyze`). -#}
    {%- if config.get('materialized') in ('table', 'incremental', 'seed') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
