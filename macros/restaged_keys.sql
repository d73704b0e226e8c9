{#- Which ids an incremental build stages again in a base model that is incremental by key
    (docs/incremental.md, section 2; config_incremental_by_key, macros/incremental_by_key.sql):
    one row per id and why. Every other id keeps the rows the last build staged.

        {{ restaged_keys('base_crm__leads', 'leads', 'lead_id', 'source_lead_id', 'created_at',
                         picklists=['lead_source', 'channel', 'motion']) }}

    An id is restaged when
      delivered: a row of it is in a landing file loaded since the last build (a new batch);
      removed:   a row of it came from a file that is no longer loaded (a changed or removed file);
      due:       its staged row was dated after the last build's as_of and as_of has reached it, or
                 the other way round (as_of went back);
      lead:      (lead_checked) the lead its staged row was checked against appeared, disappeared,
                 or entered or left quarantine (only a lead base_crm__leads staged again can);
      picklist:  a picklist spelling of it now maps to another canonical value (a seed change);
      rule:      (rule) the SQL condition `rule` over the stored row holds: a seed it was checked
                 against changed.
    The versions of one id are ranked against each other (id_occurrence), so an id is restaged with
    all its rows; rows without an id are one group (key ''). Empty in a full build.

    Arguments: the base model and its landing table; the id column in the landing file and as
    staged; the staged time column `as_of` decides on (future_timestamp); the quarantine reasons
    a row can get after that check (a row quarantined for one of them was dated); picklists: the
    staged columns mapped by a picklist of the same name (the raw spelling staged as <column>_raw);
    rule_columns: the stored columns `rule` reads, with their types. -#}
{% macro restaged_keys(
    base_model, source_table, raw_id, staged_id, due_column, after_due_reasons=[],
    lead_checked=false, picklists=[], rule=none, rule_columns={}
) -%}
{%- set previous = previous_build_of(base_model) -%}
{%- set lead_reasons = ['orphan_lead_ref', 'lead_quarantined'] -%}
{%- set columns = {
    '_source_file': 'string', '_batch_id': 'string', staged_id: 'string', due_column: 'timestamp',
    'quarantine_reason': 'string'
} -%}
{%- if lead_checked %}{% do columns.update({'source_lead_id': 'string'}) %}{% endif -%}
{%- for column in picklists %}{% do columns.update({column: 'string', column ~ '_raw': 'string'}) %}{% endfor -%}
{%- do columns.update(rule_columns) -%}
{#- read as a subquery wherever it is used: a CTE read several times would be materialized (at
    1M leads 23M marketing events spilled to disk, half of the model's time) -#}
{%- set stored -%}
    ({{ stored_rows(previous, columns) }})
{%- endset %}
with

loaded_files as (

    select distinct
        _source_file,
        {{ batch_id_column() }} as _batch_id
    from {{ crm_input(source_table) }}

),

staged_files as (

    select distinct
        _source_file,
        _batch_id
    from {{ stored }} as stored

),

new_files as (

    select loaded_files.*
    from loaded_files
    left join staged_files
        on loaded_files._source_file = staged_files._source_file and loaded_files._batch_id = staged_files._batch_id
    where staged_files._source_file is null

),

gone_files as (

    select staged_files.*
    from staged_files
    left join loaded_files
        on staged_files._source_file = loaded_files._source_file and staged_files._batch_id = loaded_files._batch_id
    where loaded_files._source_file is null

),
{%- if lead_checked %}

leads as (

    -- a lead's status can only change where base_crm__leads staged it again: its restaged ids
    -- (a few thousand an hour), not every lead, are checked against the stored rows
    select
        restaged.restage_key as source_lead_id,
        case
            when base.source_lead_id is null then 'missing'
            when base.quarantine_reason is null then 'staged'
            else 'quarantined'
        end as lead_status
    from {{ ref('base_crm__restaged_leads') }} as restaged
    left join {{ ref('base_crm__leads') }} as base
        on restaged.restage_key = base.source_lead_id and base.id_occurrence = 1
    where restaged.restage_key != ''

),
{%- endif %}
{%- for column in picklists %}

remapped_{{ column }} as (

    -- the stored spellings whose canonical value a picklist seed change moved
    select distinct {{ column }}_raw as raw_value
    from (
        select
            {{ column }}_raw,
            {{ column }},
            {{ map_picklist(source_table, column, normalize_enum(column ~ '_raw')) }} as mapped_now
        from (select distinct {{ column }}_raw, {{ column }} from {{ stored }} as stored) as spellings
    ) as mapped
    where coalesce({{ column }}, '') != coalesce(mapped_now, '')

),
{%- endfor %}

delivered as (

    select
        {{ restage_key('source.' ~ raw_id, raw=true) }} as restage_key,
        'delivered' as restage_reason
    from {{ crm_input(source_table) }} as source
    inner join new_files
        on source._source_file = new_files._source_file and {{ batch_id_column('source') }} = new_files._batch_id

),

{#- The stored rows' reasons, one narrow pass each: a pass reads only the columns its reason
    needs, and one joined with an empty list (no remapped spelling, no removed file: most builds)
    ends before it scans. One pass over every column, joined three times and filtered after, took
    twice as long (at 1M leads, the 23M stored marketing events). When several reasons hold, the
    first by name is kept (one_row_per_key). #}
stored_due as (

    -- dated after the last build's as_of and reached now, or the other way round
    {{ stored_keys_with_reason('due', stored, staged_id) }}
    where
        (stored.quarantine_reason = 'future_timestamp' and stored.{{ due_column }} <= {{ as_of() }})
        -- the row passed the time checks: it was staged or quarantined by a later one
        or (
            coalesce(stored.quarantine_reason in ({{ "'" ~ after_due_reasons | join("', '") ~ "'" if after_due_reasons else "''" }}), true)
            and stored.{{ due_column }} > {{ as_of() }}
        )

),
{%- if lead_checked %}

stored_lead as (

    -- the row reached the lead checks, and its lead's status is another one now
    {{ stored_keys_with_reason('lead', stored, staged_id) }}
    inner join leads on stored.source_lead_id = leads.source_lead_id
    where
        coalesce(stored.quarantine_reason in ('{{ lead_reasons | join("', '") }}'), true)
        and leads.lead_status != case stored.quarantine_reason
            when 'orphan_lead_ref' then 'missing'
            when 'lead_quarantined' then 'quarantined'
            else 'staged'
        end

),
{%- endif %}
{%- for column in picklists %}

stored_picklist_{{ column }} as (

    {{ stored_keys_with_reason('picklist', stored, staged_id) }}
    inner join remapped_{{ column }} on coalesce(stored.{{ column }}_raw, '') = coalesce(remapped_{{ column }}.raw_value, '')

),
{%- endfor %}

stored_removed as (

    {{ stored_keys_with_reason('removed', stored, staged_id) }}
    inner join gone_files
        on stored._source_file = gone_files._source_file and stored._batch_id = gone_files._batch_id

),
{%- if rule %}

stored_rule as (

    {{ stored_keys_with_reason('rule', stored, staged_id) }}
    where {{ rule }}

),
{%- endif %}

reasons as (

    select * from delivered
    union all
    select * from stored_due
    {%- if lead_checked %}
    union all
    select * from stored_lead
    {%- endif %}
    {%- for column in picklists %}
    union all
    select * from stored_picklist_{{ column }}
    {%- endfor %}
    union all
    select * from stored_removed
    {%- if rule %}
    union all
    select * from stored_rule
    {%- endif %}

)

{{ one_row_per_key('reasons', previous) }}
{%- endmacro %}


{% macro stored_keys_with_reason(reason, stored, staged_id) -%}
    {#- restaged_keys: the head of a pass over the stored rows, giving each row's key and `reason`
        (the pass adds its join and where clause). -#}
    select
        {{ restage_key('stored.' ~ staged_id) }} as restage_key,
        '{{ reason }}' as restage_reason
    from {{ stored }} as stored
{%- endmacro %}
