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
