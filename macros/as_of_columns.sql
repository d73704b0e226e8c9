{#- Columns that depend on as_of alone, in tables that are incremental by lead: the rows of leads
    that did not change are kept, so a post-hook brings these columns to this run's as_of. -#}

{% macro hours_in_stage(entered_at, exited_at) -%}
    {#- Hours from entering a stage to leaving it, or to as_of while the lead is still in it. -#}
    {{ dbt.datediff(entered_at, 'coalesce(' ~ exited_at ~ ', ' ~ as_of() ~ ')', 'second') }} / 3600.0
{%- endmacro %}

{% macro refresh_hours_in_current_stage() -%}
    {#- post_hook of lead_stage_history: the stage a lead is in has lasted until this run's as_of. -#}
    {%- if is_incremental() -%}
        update {{ this }}
        set hours_in_stage = {{ hours_in_stage('entered_at', 'exited_at') }}
        where is_current
    {%- endif -%}
{%- endmacro %}

{% macro refresh_as_of_column(column='as_of') -%}
    {#- post_hook: the as_of every row of an incremental-by-lead table was computed at is this
        run's (the rows of leads that did not change are as they were). -#}
    {%- if is_incremental() -%}
        update {{ this }}
        set {{ column }} = {{ as_of() }}
        where {{ column }} != {{ as_of() }}
    {%- endif -%}
{%- endmacro %}

{% macro refresh_open_clock_ends() -%}
    {#- post_hook of int_sla_clock_spans: a clock still running is measured until this run's as_of
        (the spans of leads whose SLA data did not change are kept, not recomputed). -#}
    {%- if is_incremental() -%}
        update {{ this }}
        set measured_until = {{ as_of() }}
        where stopped_at is null and measured_until != {{ as_of() }}
    {%- endif -%}
{%- endmacro %}

{% macro days_in_stage(entered_at) -%}
    {#- Days (one decimal) from entering a stage to as_of: lead_pipeline_now's age. -#}
    cast({{ round_to(dbt.datediff(entered_at, as_of(), 'second') ~ ' / 86400.0', 1) }} as decimal(10, 1))
{%- endmacro %}

{% macro age_bucket_matches(days, buckets) -%}
    {#- The seeds/lifecycle/stage_age_buckets.csv row (alias `buckets`) `days` falls in. -#}
    {{ days }} >= {{ buckets }}.min_days
    and ({{ buckets }}.max_days is null or {{ days }} < {{ buckets }}.max_days)
{%- endmacro %}

{% macro refresh_pipeline_ages(step) -%}
    {#- post_hooks of lead_pipeline_now, one per step: the kept rows' age in their stage and as_of
        (`days`), then its bucket (`buckets`); a lead that aged out of every bucket leaves the
        pipeline (`aged_out`), as in a full build. -#}
    {%- if is_incremental() -%}
        {%- set buckets = ref('stage_age_buckets') -%}
        {%- if step == 'days' -%}
            update {{ this }}
            set days_in_stage = {{ days_in_stage('stage_entered_at') }}, as_of = {{ as_of() }}
            where as_of != {{ as_of() }}
        {%- elif step == 'buckets' -%}
            update {{ this }} as pipeline
            set
                age_bucket = buckets.age_bucket,
                age_bucket_order = cast(buckets.bucket_order as integer),
                age_bucket_label = buckets.label
            from {{ buckets }} as buckets
            where {{ age_bucket_matches('pipeline.days_in_stage', 'buckets') }}
                and pipeline.age_bucket != buckets.age_bucket
        {%- elif step == 'aged_out' -%}
            delete from {{ this }} as pipeline
            where not exists (
                select 1 from {{ buckets }} as buckets
                where {{ age_bucket_matches('pipeline.days_in_stage', 'buckets') }}
            )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
