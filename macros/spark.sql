{#- Spark only (dbt-spark). The project names its column types as DuckDB and PostgreSQL spell
    them (seed column_types in dbt_project.yml, the contracts' data_type, casts): `varchar`,
    `double precision`, `integer`. Spark wants a length for varchar and has no `double
    precision`: spark_type() spells a type Spark's way, and the seed loader, the contracts' empty
    schema query and dbt.cast() use it, so every other file keeps one spelling. -#}

{% macro spark_type(data_type) -%}
    {%- set spelled = data_type | trim | lower -%}
    {%- set base = spelled.split('(')[0] | trim -%}
    {%- if base in ('varchar', 'text', 'character varying', 'char', 'character') -%}
        {{ return('string') }}
    {%- elif spelled in ('double precision', 'float8', 'float') -%}
        {{ return('double') }}
    {%- elif spelled in ('integer', 'int4') -%}
        {{ return('int') }}
    {%- elif spelled == 'int8' -%}
        {{ return('bigint') }}
    {%- elif spelled in ('real', 'float4') -%}
        {{ return('float') }}
    {%- endif -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type(type) }})
{%- endmacro %}

{% macro spark_seed_model(model) -%}
    {#- The seed node with its column_types spelled Spark's way. -#}
    {%- set types = {} -%}
    {%- for name, data_type in (model['config'].get('column_types') or {}).items() -%}
        {%- do types.update({name: spark_type(data_type)}) -%}
    {%- endfor -%}
    {%- set config = model['config'].copy() -%}
    {%- do config.update({'column_types': types}) -%}
    {%- set node = model.copy() -%}
    {%- do node.update({'config': config}) -%}
    {{ return(node) }}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) -%}
    {{ return(dbt.spark__create_csv_table(spark_seed_model(model), agate_table)) }}
{%- endmacro %}

{% macro spark_literal(value, data_type) -%}
    {#- A seed value as a Spark literal of its column type: null, or the text cast to the type
        (backslash and quote escaped: Spark's string literals take backslash escapes). -#}
    {%- if value is none -%}
        cast(null as {{ data_type }})
    {%- else -%}
        cast('{{ (value | string) | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ data_type }})
    {%- endif -%}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) -%}
    {#- The rows as literals in the insert itself: dbt-spark's session cursor fills its bindings
        in without escaping them, so a quote in a seed (New Year's Day) broke the statement. -#}
    {%- set types = spark_seed_model(model)['config']['column_types'] -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            ({%- for name in agate_table.column_names -%}
                {{ spark_literal(row[loop.index0], types.get(name, adapter.convert_type(agate_table, loop.index0))) }}
                {%- if not loop.last %}, {% endif -%}
            {%- endfor -%}){%- if not loop.last %},{% endif %}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{#- Text parsing (macros/parsing.sql): Spark's try_cast reads an ISO-8601 date or timestamp with
    or without an offset (the session is UTC, so one without is UTC, as on DuckDB) and gives null
    for a day that does not exist; the ISO pattern first keeps out what Spark would read and
    DuckDB would not ('2024', '2024-01'). -#}
{% macro spark__parse_timestamp(column) -%}
    {%- set text = clean_text(column) -%}
    case when {{ text }} rlike '{{ postgres__iso_pattern() }}' then try_cast({{ text }} as timestamp) end
{%- endmacro %}

{% macro spark__parse_date(column) -%}
    {%- set text = clean_text(column) -%}
    case when {{ text }} rlike '{{ postgres__iso_pattern() }}' then try_cast({{ text }} as date) end
{%- endmacro %}

{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {#- string_agg with its order on Spark (dbt-spark's listagg drops the order_by_clause, and
        collect_list's order is not defined): the values with their sort keys collected as
        structs, sorted (ascending keys, then the value: a stable order), joined. Null values
        are left out, and a group of none is null, as string_agg gives. -#}
    {%- set keys = [] -%}
    {%- if order_by_clause -%}
        {%- set clause = order_by_clause | trim -%}
        {%- if clause[:8] | lower == 'order by' -%}{%- set clause = clause[8:] -%}{%- endif -%}
        {%- for key in clause.split(',') -%}
            {%- set key = key | trim -%}
            {%- if key.lower().endswith(' desc') -%}
                {{ exceptions.raise_compiler_error("spark__listagg: descending order is not supported: " ~ order_by_clause) }}
            {%- endif -%}
            {%- do keys.append(key[:-4] | trim if key.lower().endswith(' asc') else key) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set sorted -%}
        transform(
            array_sort(collect_list(struct(
                {%- for key in keys %}{{ key }} as k{{ loop.index }}, {% endfor %}{{ measure }} as v))),
            entry -> entry.v
        )
    {%- endset -%}
    case when count({{ measure }}) > 0 then array_join(
        {%- if limit_num %}slice({{ sorted }}, 1, {{ limit_num }}){% else %}{{ sorted }}{% endif %}, {{ delimiter_text }})
    end
{%- endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) -%}
    {#- As DuckDB's date_diff counts: the unit boundaries between the two instants (the
        difference of their truncated epoch values), null when either is null. dbt-spark's own
        raises an error on a null timestamp and reads microseconds from the text. Sub-day units
        are a double, as on PostgreSQL, so `seconds / 86400.0` is a double as on DuckDB (Spark
        would make it a decimal of 7 digits). -#}
    {%- set units = {'microsecond': none, 'millisecond': 1000, 'second': 1000000, 'minute': 60000000, 'hour': 3600000000} -%}
    {%- if datepart in units -%}
        {%- if units[datepart] is none -%}
            cast(unix_micros({{ second_date }}) - unix_micros({{ first_date }}) as double)
        {%- else -%}
            {#- div truncates toward zero: the same as floor for the instants after 1970 the
                warehouse holds (earlier ones are quarantined as implausible) -#}
            cast(unix_micros({{ second_date }}) div {{ units[datepart] }} - unix_micros({{ first_date }}) div {{ units[datepart] }} as double)
        {%- endif -%}
    {%- elif datepart == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- else -%}
        {{ return(dbt.spark__datediff(first_date, second_date, datepart)) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark_regex(pattern) -%}
    {#- A POSIX regular expression (DuckDB's RE2, PostgreSQL) as a Spark string literal's text for
        Java's regex: the POSIX classes ([:space:] inside a bracket) in Java's spelling (Java reads
        `[^@[:space:]]` as a union with the characters of ':space:'), and every backslash
        written twice, as Spark's string literals take backslash escapes. -#}
    {%- set java = pattern
        | replace('[:space:]', '\\p{Space}') | replace('[:alpha:]', '\\p{Alpha}') | replace('[:digit:]', '\\p{Digit}')
        | replace('[:alnum:]', '\\p{Alnum}') | replace('[:upper:]', '\\p{Upper}') | replace('[:lower:]', '\\p{Lower}')
        | replace('[:punct:]', '\\p{Punct}') -%}
    {{ return(java | replace('\\', '\\\\')) }}
{%- endmacro %}

{% macro spark__round_to(expression, digits) -%}
    {#- As DuckDB rounds a double: its exact binary value, half away from zero. Spark's round()
        reads a double through its shortest decimal text first (64.05 → 64.1; DuckDB: 64.0, as
        64.05 is 64.04999… in binary), as PostgreSQL's round(numeric) does: the same exact
        rounding as postgres__round_to (macros/parsing.sql), with floor() for the truncation of a
        value that is never negative. -#}
    {%- if digits is not none and digits > 4 -%}
        {{ exceptions.raise_compiler_error("round_to: at most 4 digits on Spark, got " ~ digits) }}
    {%- endif -%}
    {%- set scale = 10 ** (digits if digits is not none else 0) -%}
    {%- set a = "abs(cast(" ~ expression ~ " as double))" -%}
    {%- set p = "(" ~ a ~ " * " ~ scale ~ ")" -%}
    {%- set hi = "(134217729D * " ~ a ~ " - (134217729D * " ~ a ~ " - " ~ a ~ "))" -%}
    {%- set e = "((" ~ hi ~ " * " ~ scale ~ " - " ~ p ~ ") + (" ~ a ~ " - " ~ hi ~ ") * " ~ scale ~ ")" -%}
    (signum(cast({{ expression }} as double)) * (
        floor({{ p }}) + case when ({{ p }} - floor({{ p }})) - 0.5D >= -{{ e }} then 1 else 0 end
    ) / {{ scale }})
{%- endmacro %}

{% macro spark__generate_series(upper_bound) -%}
    {#- 1 … upper_bound as bigint, as DuckDB's generate_series (dbt's default sums power() terms,
        a double on Spark: a step then reads '1.0' as text) -#}
    select explode(sequence(cast(1 as bigint), cast({{ upper_bound }} as bigint))) as generated_number
{%- endmacro %}
