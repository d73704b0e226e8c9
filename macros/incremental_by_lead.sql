{#- Incremental by lead (docs/incremental.md). A model of a lead's score history that is
    `incremental` recomputes, in an incremental run, the whole history of each lead that
    int_scoring_changed_leads marks changed, and keeps every other lead's rows as they are:

        {{ config_incremental_by_lead() }}
        ... from {{ ref('x') }} where {{ only_changed_leads() }}

    In a full build (the first, or --full-refresh) every lead is computed. -#}

{% macro config_incremental_by_lead() -%}
    {#- The model's config: appended per lead after its changed leads' rows are deleted. -#}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_leads() }}"
    ) }}
{%- endmacro %}

{% macro only_changed_leads(column='lead_id') -%}
    {#- The ref is taken in both branches so that dbt sees the dependency when it parses. -#}
    {%- set changed_leads = ref('int_scoring_changed_leads') -%}
    {%- if is_incremental() -%}
        {{ column }} in (select changed.lead_id from {{ changed_leads }} as changed where changed.is_changed)
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{% macro delete_changed_leads() -%}
    {#- pre_hook: a changed lead's old rows go before its new ones are appended (also a lead that
        no longer exists, which has no new rows). -#}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where lead_id in (select changed.lead_id from {{ ref('int_scoring_changed_leads') }} as changed where changed.is_changed)
    {%- endif -%}
{%- endmacro %}

{% macro row_fingerprint(relation, alias, also=[]) -%}
    {#- A hash of every column of a row of `relation` (its columns as the warehouse holds them)
        and of the expressions `also`, so a change to any of them marks the row's lead changed. -#}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do columns.append(alias ~ '.' ~ adapter.quote(column.name)) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(values_fingerprint((columns if columns else ["''"]) + also)) }}
{%- endmacro %}

{% macro values_fingerprint(expressions) -%}
    {#- A hash of these expressions' values, a missing value included. -#}
    {{ return(adapter.dispatch('values_fingerprint', 'lead_warehouse')(expressions)) }}
{%- endmacro %}

{% macro default__values_fingerprint(expressions) -%}
    {{ surrogate_key(expressions) }}
{%- endmacro %}

{% macro duckdb__values_fingerprint(expressions) -%}
    {#- DuckDB's own 64-bit hash of the values (typed, NULL-aware): no text per row. -#}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{% macro previous_scoring_build_of(model_name) -%}
    {#- A model of the score history as the last build left it, read by int_scoring_changed_leads
        before this build replaces it (not a ref: the model is downstream); none in a full build. -#}
    {%- if execute and not should_full_refresh() -%}
        {{ return(adapter.get_relation(database=this.database, schema=this.schema, identifier=model_name)) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{% macro rows_fingerprint(row_hash) -%}
    {#- Aggregate: one value for a group of row_fingerprint()s that changes when any row changes,
        is added or goes, whatever the rows' order. -#}
    {{ return(adapter.dispatch('rows_fingerprint', 'lead_warehouse')(row_hash)) }}
{%- endmacro %}

{% macro default__rows_fingerprint(row_hash) -%}
    {{ dbt.hash(dbt.listagg(row_hash, "','", 'order by ' ~ row_hash)) }}
{%- endmacro %}

{% macro duckdb__rows_fingerprint(row_hash) -%}
    {#- the count and the exact sum of the 64-bit hashes: no sort and no string per lead (at 1M leads
        and 14.6M counted events 1.9-4.7 s against 32 s for md5 over the ordered list) -#}
    cast(count(*) as varchar) || '-' || cast(sum(cast({{ row_hash }} as hugeint)) as varchar)
{%- endmacro %}
