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

{#- The band the lifecycle sees, as its trigger name: score_mql (>= mql_threshold with the
    mandatory fields present), band_warm (>= warm_threshold), else band_nurture; null for a null
    score. Columns of int_lead_scoring_inputs. -#}
{% macro lifecycle_band(score) -%}
    case
        when {{ score }} is null then null
        when has_mandatory_fields and {{ score }} >= mql_threshold then 'score_mql'
        when {{ score }} >= warm_threshold then 'band_warm'
        else 'band_nurture'
    end
{%- endmacro %}
