{#- Fail the build with a message naming the seed row when configuration is invalid.
    checks: list of (condition that marks a row invalid, what is wrong). Runs when the model
    that calls it is executed, i.e. after its seed has been loaded. -#}
{% macro assert_valid_config(seed_name, key_expression, checks) %}
    {% if execute %}
        {% set relation = load_relation(ref(seed_name)) %}
        {% if relation is not none %}
            {% for condition, problem in checks %}
                {% set bad = run_query(
                    "select distinct " ~ key_expression ~ " as row_key from " ~ relation ~ " where " ~ condition ~ " limit 5"
                ) %}
                {% if bad.rows | length > 0 %}
                    {% set keys = bad.columns[0].values() | join(', ') %}
                    {{ exceptions.raise_compiler_error(
                        "Invalid configuration in seed '" ~ seed_name ~ "', row(s) " ~ keys ~ ": " ~ problem
                    ) }}
                {% endif %}
            {% endfor %}
        {% endif %}
    {% endif %}
{% endmacro %}
