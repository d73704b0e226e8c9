{#- Business seconds elapsed from the start of int_business_calendar up to an instant, given
    the calendar row of the instant's local date (alias `calendar`). Before opening it counts
    nothing of the day, after closing the whole day. -#}
{% macro business_seconds_at(instant, calendar='calendar') -%}
    ({{ calendar }}.business_seconds_before + least(
        greatest({{ dbt.datediff(calendar ~ '.opens_at_utc', instant, 'second') }}, 0),
        {{ calendar }}.business_seconds
    ))
{%- endmacro %}
