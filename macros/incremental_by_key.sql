{#- Incremental by key (docs/incremental.md, section 2). A base model whose rows depend on other
    rows only through a key (the versions of one id) is staged again, in an incremental build,
    for the keys its change model lists; every other key keeps its staged rows:

        {{ config_incremental_by_key('base_x__changed_keys', 'x_id') }}
        with source as ({{ restaged_input_rows('x', 'base_x__changed_keys', 'x_id') }}) ...

    Only in the contract shape: the landing contract's raw tables carry the batch id a change
    model needs to see which rows are new; a connector shape is rebuilt in full. -#}

{% macro restage_key(id_column, raw=false) -%}
    {#- The key of a row: its id, '' for rows without one (one group, restaged together). A raw
        row's id is trimmed first; a staged id already is (no trim over every stored row). -#}
    coalesce({{ clean_text(id_column) if raw else id_column }}, '')
{%- endmacro %}

{% macro is_incremental_by_key() -%}
    {{ return(source_shape() == 'contract') }}
{%- endmacro %}

{% macro config_incremental_by_key(changes_model, id_column) -%}
    {#- a table where the engine cannot delete rows (deletes_rows(), macros/incremental_by_lead.sql) -#}
    {%- if is_incremental_by_key() and deletes_rows() -%}
        {{ config(
            materialized='incremental',
            incremental_strategy='append',
            on_schema_change='fail',
            pre_hook=[
                "{{ delete_restaged_keys('" ~ changes_model ~ "', '" ~ id_column ~ "', 'with_id') }}",
                "{{ delete_restaged_keys('" ~ changes_model ~ "', '" ~ id_column ~ "', 'without_id') }}",
            ]
        ) }}
    {%- else -%}
        {{ config(materialized='table') }}
    {%- endif -%}
{%- endmacro %}

{% macro listed_keys(changes_model) -%}
    {#- The keys a change model lists, as a subquery for `in`. -#}
    (select changed.restage_key from {{ ref(changes_model) }} as changed)
{%- endmacro %}

{% macro only_restaged_keys(changes_model, id_column) -%}
    {#- A filter on valid staged rows: those of the keys `changes_model` lists. Such a row always
        has an id (a row without one is quarantined, null_id), which is its key: matched on the
        column itself, DuckDB skips the row groups outside the listed ids' range (at 1M leads,
        int_marketing_events_resolved's select for one hour's 10,120 new events: 0.97-1.00 s ->
        0.11-0.12 s). The ref is taken in both branches so that dbt sees the dependency when it
        parses. -#}
    {%- do ref(changes_model) -%}
    {%- if is_incremental() -%}
        {{ id_column }} in {{ listed_keys(changes_model) }}
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{% macro restaged_input_rows(source_table, changes_model, id_column) -%}
    {#- A base model's raw rows (crm_input): all of them in a full build; in an incremental build
        those of the keys `changes_model` lists, in two disjoint parts. The rows whose raw id is
        its key already match on the raw column, which lets DuckDB skip the row groups outside the
        listed ids' range; only the rows with no id or another key (a padded id) are matched on
        their key (at 1M leads, the 23M marketing events: 1.03 s instead of 1.76 s). A key is its
        own key (trimmed, or ''), so a row of the first part is never in the second.
        The ref is taken in both branches so that dbt sees the dependency when it parses. -#}
    {%- do ref(changes_model) -%}
    select * from {{ crm_input(source_table) }}
    {%- if is_incremental() %}
    where {{ id_column }} in {{ listed_keys(changes_model) }}
    union all
    select * from {{ crm_input(source_table) }}
    where
        -- the ids whose key (clean_text: trimmed, '' for none) differs from them: null, or a
        -- space first or last (what trim removes). Two prefix/suffix tests, not trim itself: trim
        -- builds a new string for each of the 23M raw events (1.04 s against 0.42 s at 1M leads)
        ({{ id_column }} is null or {{ id_column }} like ' %' or {{ id_column }} like '% ')
        and {{ restage_key(id_column, raw=true) }} in {{ listed_keys(changes_model) }}
    {%- endif %}
{%- endmacro %}

{% macro delete_restaged_keys(changes_model, id_column, rows) -%}
    {#- pre_hooks: the staged rows of a restaged key go before its rows are staged again; `rows`
        with_id, then without_id (key ''). A staged id is its own key (trimmed, null for none), so
        the rows with one match on the column itself, which lets DuckDB skip the row groups
        outside the listed ids' range, and so do the rows without one (a column's null count):
        at 1M leads, deleting 10,120 of the 23M marketing events took 0.01 s instead of 0.60 s
        with the key computed for every row (one statement with `or` as well: 0.69 s). -#}
    {%- if is_incremental() and rows == 'with_id' -%}
        delete from {{ this }}
        where {{ id_column }} in {{ listed_keys(changes_model) }}
    {%- elif is_incremental() -%}
        delete from {{ this }}
        where {{ id_column }} is null and '' in {{ listed_keys(changes_model) }}
    {%- endif -%}
{%- endmacro %}

{% macro previous_build_of(model_name) -%}
    {#- A change model's view of the model it feeds, as the last build left it (last_build_of,
        macros/incremental_by_lead.sql); none in a full build or a connector shape. -#}
    {%- if is_incremental_by_key() -%}
        {{ return(last_build_of(model_name)) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{% macro batch_id_column(alias=none) -%}
    {#- The ingest batch a raw row came in (the contract's raw tables); null in a connector shape. -#}
    {%- if is_incremental_by_key() -%}
        {{ alias ~ '.' if alias else '' }}_batch_id
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{% macro stored_rows(previous, columns) -%}
    {#- A change model's view of what the last build stored: these columns of `previous` (from
        previous_build_of), or no rows of the same columns in a full build. `columns` maps each
        name to 'string', 'timestamp' or 'boolean'. -#}
    {%- if previous is not none -%}
        select {{ columns.keys() | join(', ') }} from {{ previous }}
    {%- else -%}
        select
        {%- for name, type in columns.items() %}
            {%- set types = {'timestamp': dbt.type_timestamp(), 'boolean': dbt.type_boolean()} %}
            cast(null as {{ types.get(type, dbt.type_string()) }}) as {{ name }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
        where 1 = 0
    {%- endif -%}
{%- endmacro %}

{% macro one_row_per_key(reasons, previous, carry=[]) -%}
    {#- A change model's result: each listed key once, with the first of its reasons (and the
        non-null value of each `carry` column); nothing in a full build (no `previous`), which
        computes every key anyway. -#}
    select
        restage_key,
        min(restage_reason) as restage_reason
        {%- for column in carry %},
        max({{ column }}) as {{ column }}
        {%- endfor %}
    from {{ reasons }}
    where {{ 'true' if previous is not none else 'false' }}
    group by restage_key
{%- endmacro %}
