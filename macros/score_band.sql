{#- The score band of a score against its scoring model's thresholds: hot (>= hot_threshold),
    mql (>= mql_threshold), warm (>= warm_threshold), else nurture. The one definition of the
    bands (docs/scoring.md); arguments are SQL expressions, by default the threshold columns of
    int_lead_scoring_inputs. A null score is nurture: guard it where null must stay null. -#}
{% macro score_band(score, warm='warm_threshold', mql='mql_threshold', hot='hot_threshold') -%}
    case
        when {{ score }} >= {{ hot }} then 'hot'
        when {{ score }} >= {{ mql }} then 'mql'
        when {{ score }} >= {{ warm }} then 'warm'
        else 'nurture'
    end
{%- endmacro %}
