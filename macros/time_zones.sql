{#- Time-zone and calendar helpers. Timestamps in the warehouse are UTC without time zone;
    business hours are local to a territory. Engine specifics stay behind adapter.dispatch. -#}

{% macro local_to_utc(local_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('local_to_utc', 'lead_warehouse')(local_timestamp, time_zone)) }}
{%- endmacro %}

{% macro default__local_to_utc(local_timestamp, time_zone) -%}
    {# DuckDB: timezone(zone, timestamp) reads the wall time in that zone (DST included). #}
    cast(timezone({{ time_zone }}, {{ local_timestamp }}) at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro postgres__local_to_utc(local_timestamp, time_zone) -%}
    (({{ local_timestamp }}) at time zone {{ time_zone }}) at time zone 'UTC'
{%- endmacro %}

{% macro spark__local_to_utc(local_timestamp, time_zone) -%}
    to_utc_timestamp({{ local_timestamp }}, {{ time_zone }})
{%- endmacro %}

{% macro utc_to_local(utc_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('utc_to_local', 'lead_warehouse')(utc_timestamp, time_zone)) }}
{%- endmacro %}

{% macro default__utc_to_local(utc_timestamp, time_zone) -%}
    timezone({{ time_zone }}, timezone('UTC', {{ utc_timestamp }}))
{%- endmacro %}

{% macro postgres__utc_to_local(utc_timestamp, time_zone) -%}
    (({{ utc_timestamp }}) at time zone 'UTC') at time zone {{ time_zone }}
{%- endmacro %}

{% macro spark__utc_to_local(utc_timestamp, time_zone) -%}
    from_utc_timestamp({{ utc_timestamp }}, {{ time_zone }})
{%- endmacro %}

{% macro iso_weekday(date_expression) -%}
    {#- 1 = Monday … 7 = Sunday -#}
    {{ return(adapter.dispatch('iso_weekday', 'lead_warehouse')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_weekday(date_expression) -%}
    isodow({{ date_expression }})
{%- endmacro %}

{% macro postgres__iso_weekday(date_expression) -%}
    cast(extract(isodow from {{ date_expression }}) as integer)
{%- endmacro %}

{% macro spark__iso_weekday(date_expression) -%}
    (weekday({{ date_expression }}) + 1)
{%- endmacro %}

{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'lead_warehouse')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro postgres__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__percentile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro minutes_of_day(hh_mm) -%}
    {#- 'HH:MM' → minutes after midnight -#}
    (cast({{ dbt.split_part(hh_mm, "':'", 1) }} as integer) * 60 + cast({{ dbt.split_part(hh_mm, "':'", 2) }} as integer))
{%- endmacro %}
