{#- A lead's decayed intent score at an instant (docs/scoring.md): the contributing points plus
    the velocity bonus while a window is open, times (1 − decay_rate)^k for the k whole decay
    periods since the last counted event; 0 before any. Columns of int_lead_scoring_inputs as
    `inputs`. -#}
{% macro intent_score_at(base_points, velocity_windows_open, last_event_at, at) -%}
case
    when {{ last_event_at }} is null then 0
    else
        (
            cast({{ base_points }} as {{ type_double() }})
            + case when {{ velocity_windows_open }} > 0 then inputs.velocity_points else 0 end
        )
        * power(
            1 - inputs.decay_rate,
            floor(
                {{ dbt.datediff(last_event_at, at, 'microsecond') }}
                / (inputs.decay_period_days * 86400000000.0)
            )
        )
end
{%- endmacro %}
