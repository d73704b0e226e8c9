{#- Incremental by lead (docs/incremental.md). A model of a lead's history that is `incremental`
    recomputes, in an incremental run, the whole history of each lead its change model marks
    changed, and keeps every other lead's rows as they are:

        {{ config_incremental_by_lead('int_lifecycle_changed_leads') }}
        ... from {{ ref('x') }} where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

    A change model (config_change_model) holds one row per lead: why the last build that
    recomputed the lead did so (change_reason, is_changed) and that build's as_of (computed_as_of).
    int_scoring_changed_leads (the default) is the score history's, others are made by
    changed_leads_by_fingerprint() below. In a full build (the first, or --full-refresh) every lead
    is computed. -#}

{% macro config_incremental_by_lead(changes='int_scoring_changed_leads') -%}
    {#- The model's config: appended per lead after its changed leads' rows are deleted. `changes`:
        a change model, or a list of them when the model reads what several recompute. A table,
        rebuilt in full, where the engine's tables cannot delete rows (deletes_rows()). -#}
    {%- if not deletes_rows() -%}
        {{ config(materialized='table') }}
    {%- else -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_leads(" ~ (changes | tojson) ~ ") }}"
    ) }}
    {%- endif -%}
{%- endmacro %}

{% macro config_change_model() -%}
    {#- A change model's config. A full build writes every lead's row (reason `full`); an
        incremental build writes only the rows of the leads it marks changed (delete+insert by
        lead, rows stamped with its as_of: changed_rows()), and every other lead keeps its row from
        an earlier build, so an hourly run writes a few thousand rows, not one per lead. Readers
        take this build's changed leads with changed_lead_ids(). The rows of leads an earlier build
        reported gone are deleted first (they have no row in a full build). A table, rebuilt in
        full, where the engine's tables cannot delete rows (deletes_rows()). -#}
    {%- if not deletes_rows() -%}
        {{ config(materialized='table') }}
    {%- else -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='lead_id',
        on_schema_change='fail',
        pre_hook="{{ delete_gone_leads() }}"
    ) }}
    {%- endif -%}
{%- endmacro %}

{% macro delete_gone_leads() -%}
    {#- pre_hook of a change model: a lead an earlier build reported gone has no row any more
        (the last_run_fingerprints() of this build skip those rows anyway). -#}
    {%- if is_incremental() -%}
        delete from {{ this }} where change_reason = 'gone'
    {%- endif -%}
{%- endmacro %}

{% macro changed_rows() -%}
    {#- A change model's final filter: in an incremental build only the changed leads' rows are
        written (config_change_model), in a full build every lead's. -#}
    {{- 'change_reason is not null' if is_incremental() else '1 = 1' -}}
{%- endmacro %}

{% macro this_build(alias, column) -%}
    {#- A change model's column as this build set it: null for a lead whose row an earlier build
        wrote (this build did not mark it changed). -#}
    case when {{ alias }}.computed_as_of = {{ as_of() }} then {{ alias }}.{{ column }} end
{%- endmacro %}

{% macro deletes_rows() -%}
    {#- Whether the engine's tables take `delete from` (the pre-hooks of the incremental models).
        Spark's Parquet tables do not (Delta's would): there the incremental models are tables. -#}
    {{ return(adapter.dispatch('deletes_rows', 'lead_warehouse')()) }}
{%- endmacro %}

{% macro reads_last_build() -%}
    {#- Whether a change model compares with the last build: not in a full build (the first,
        --full-refresh), nor where the incremental models are tables (deletes_rows() false: every
        lead is computed anyway, and a Spark table is dropped before its new rows are written,
        so a model cannot read its own last build). -#}
    {{ return(execute and deletes_rows() and not should_full_refresh()) }}
{%- endmacro %}

{% macro default__deletes_rows() -%}
    {{ return(true) }}
{%- endmacro %}

{% macro spark__deletes_rows() -%}
    {{ return(false) }}
{%- endmacro %}

{% macro changed_lead_ids(changes) -%}
    {#- The leads any of the change models marks changed in this build (rows an earlier build
        wrote keep that build's reasons: config_change_model). An entry 'model:flag' reads another
        boolean column of the change model than is_changed (a subset of its changed leads). -#}
    {%- for change in ([changes] if changes is string else changes) %}
        {%- set change_model, flag = (change ~ ':is_changed').split(':')[:2] %}
        select changed.lead_id from {{ ref(change_model) }} as changed
        where changed.{{ flag }} and changed.computed_as_of = {{ as_of() }}
        {%- if not loop.last %} union {% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro only_changed_leads(column='lead_id', changes='int_scoring_changed_leads') -%}
    {#- The refs are taken in both branches so that dbt sees the dependencies when it parses. -#}
    {%- set ids = changed_lead_ids(changes) -%}
    {%- if is_incremental() -%}
        {{ column }} in ({{ ids }})
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{% macro delete_changed_leads(changes='int_scoring_changed_leads') -%}
    {#- pre_hook: a changed lead's old rows go before its new ones are appended (also a lead that
        no longer exists, which has no new rows). -#}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where lead_id in ({{ changed_lead_ids(changes) }})
    {%- endif -%}
{%- endmacro %}

{% macro changed_leads_by_fingerprint(inputs, rules, touched=none) -%}
    {#- A change model's SQL (config_change_model) for models whose rows for a lead depend only on
        that lead's rows of `inputs` (relations with a lead_id column) and on the whole of `rules`
        (seeds): one row per lead (and per lead gone since the last run) with why an incremental
        run recomputes it (`rules` may be empty):
          new:    it did not exist at the last run;
          inputs: a row of it in `inputs` differs from the last run (one fingerprint per lead);
          gone:   it existed at the last run and no longer does (its rows are deleted);
          full:   first build, --full-refresh, or a rule changed: every lead.
        The inputs must hold no as_of-dependent values other than as_of filters (an input row
        that as_of reaches appears in the fingerprint). The last run is this table as it was left.
        `touched`: change models (as config_incremental_by_lead takes them) that name every lead
        whose rows of `inputs` can have changed (the inputs are incremental models following
        them): only those leads are fingerprinted again, every other one keeps its fingerprint. -#}
    {%- set previous = none -%}
    {%- if reads_last_build() -%}
        {%- set previous = load_relation(this) -%}
    {%- endif %}
    {%- set touched_only = touched is not none and previous is not none -%}
    {#- rendered in every build, so that dbt sees the refs when it parses -#}
    {%- set touched_ids = changed_lead_ids(touched) if touched is not none else none %}
with

touched_leads as (

    {%- if touched_only %}
    {{ touched_ids | indent(4) }}
    {%- else %}
    select cast(null as {{ dbt.type_string() }}) as lead_id
    {%- endif %}

),

input_rows as (

    {{ lead_row_hashes(inputs, 'touched_leads' if touched_only else none) | indent(4) }}

),

fingerprints as (

    select
        lead_id,
        {{ rows_fingerprint('row_hash') }} as inputs_fingerprint
    from input_rows
    group by lead_id

),

rules_now as (

    {{ rules_fingerprint(rules) | indent(4) }}

),

previous_run as (

    {{ last_run_fingerprints(previous) | indent(4) }}

),

rules_then as (

    select max(rules_fingerprint) as rules_fingerprint
    from previous_run

),

compared as (

    -- with `touched`, a lead no change model names keeps the last run's fingerprint
    select
        coalesce(fingerprints.lead_id, previous_run.lead_id) as lead_id,
        case
            when {{ 'true' if touched_only else 'false' }} and touched_leads.lead_id is null
                then previous_run.inputs_fingerprint
            else fingerprints.inputs_fingerprint
        end as inputs_fingerprint,
        rules_now.rules_fingerprint,
        case
            when
                {{ 'true' if previous is none else 'false' }}
                or coalesce(rules_then.rules_fingerprint, '') != rules_now.rules_fingerprint
                then 'full'
            when {{ 'true' if touched_only else 'false' }} and touched_leads.lead_id is null then null
            when fingerprints.lead_id is null then 'gone'
            when previous_run.lead_id is null then 'new'
            when fingerprints.inputs_fingerprint != previous_run.inputs_fingerprint then 'inputs'
        end as change_reason
    from fingerprints
    full outer join previous_run on fingerprints.lead_id = previous_run.lead_id
    left join touched_leads on coalesce(fingerprints.lead_id, previous_run.lead_id) = touched_leads.lead_id
    cross join rules_now
    cross join rules_then

)

select
    lead_id,
    inputs_fingerprint,
    rules_fingerprint,
    {{ as_of() }} as computed_as_of,
    change_reason,
    change_reason is not null as is_changed
from compared
where {{ changed_rows() }}
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

{% macro last_build_of(model_name) -%}
    {#- A model in this model's schema as the last build left it, read by a change model before this
        build replaces it (not a ref: the model is downstream); none in a full build. -#}
    {%- if reads_last_build() -%}
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

{% macro rule_row_fingerprints(rules) -%}
    {#- One hash per row of each of the `rules` relations (seeds, or models of seeds), named by its
        relation: rows_fingerprint() over them changes when a rule changes. One constant row when
        there are no rules, so that the rules never differ from the last run's. -#}
    {%- for relation in rules %}
select {{ values_fingerprint(["'" ~ relation.identifier ~ "'", row_fingerprint(relation, 'rule_' ~ loop.index)]) }} as row_hash
from {{ relation }} as rule_{{ loop.index }}
        {%- if not loop.last %}
union all
        {%- endif %}
    {%- else %}
select {{ values_fingerprint(["'no rules'"]) }} as row_hash
    {%- endfor %}
{%- endmacro %}

{% macro rules_fingerprint(rules) -%}
    {#- One row: one value over every row of the `rules` relations, which a change model stores on
        each lead's row and compares with the last build's (a changed rule recomputes every lead). -#}
select {{ rows_fingerprint('row_hash') }} as rules_fingerprint
from (
    {{ rule_row_fingerprints(rules) | indent(4) }}
) as rule_rows
{%- endmacro %}

{% macro last_build_as_of(previous) -%}
    {#- The as_of of the last build that wrote a row of a change model (`previous`, none in a full
        build), as a timestamp literal; none without a last build or when it stored none. Builds
        since then, if any, changed no lead of it: they can have moved nothing this model watches
        (a lead such a move touches is marked changed and written), so the windows a change model
        opens from this as_of (last build's as_of, this as_of] are only wider, never short. -#}
    {%- if previous is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set value = run_query('select max(computed_as_of) from ' ~ previous).columns[0].values()[0] -%}
    {{ return(none if value is none else "cast('" ~ value ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{% macro last_run_fingerprints(previous) -%}
    {#- A change model's last build (`previous`, none in a first build or a full refresh): each
        lead's fingerprints, without the leads it already reported gone. -#}
select
    last_run.lead_id,
    last_run.inputs_fingerprint,
    last_run.rules_fingerprint
from ({{ stored_rows(previous, {
    'lead_id': 'string', 'inputs_fingerprint': 'string', 'rules_fingerprint': 'string', 'change_reason': 'string'
}) }}) as last_run
where coalesce(last_run.change_reason, '') != 'gone'
{%- endmacro %}

{% macro lead_row_hashes(inputs, only_leads_in=none) -%}
    {#- Every row of the `inputs` relations (each with a lead_id column) as (lead_id, row_hash):
        what a change model aggregates into one fingerprint per lead. `only_leads_in`: a CTE or
        relation with a lead_id column that limits the rows to its leads. -#}
    {%- for relation in inputs %}
select
    input_{{ loop.index }}.lead_id,
    {{ row_fingerprint(relation, 'input_' ~ loop.index) }} as row_hash
from {{ relation }} as input_{{ loop.index }}
        {%- if only_leads_in is not none %}
where input_{{ loop.index }}.lead_id in (select only_leads.lead_id from {{ only_leads_in }} as only_leads)
        {%- endif %}
        {%- if not loop.last %}
union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}
