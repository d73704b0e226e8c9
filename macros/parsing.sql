{#- Row-level parsing of raw text columns. Each returns null when the value does not parse,
    so the staging models can quarantine the row with a reason instead of failing. Engine
    specifics stay behind adapter.dispatch. -#}

{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{% macro parse_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'lead_warehouse')(column)) }}
{%- endmacro %}

{% macro default__parse_timestamp(column) -%}
    {# ISO-8601 with or without an offset; stored as a UTC timestamp without time zone. #}
    cast(try_cast({{ clean_text(column) }} as timestamptz) at time zone 'UTC' as timestamp)
{%- endmacro %}

{#- PostgreSQL has no try_cast: the text must look like an ISO-8601 date or timestamp (what the
    contract delivers; DuckDB also reads these) and name a real calendar day and time of day
    before it is cast, else the value is null, as DuckDB's try_cast gives. A timestamp with an
    offset (Z, +02, +02:00, +0200) is read at that offset, one without as UTC: neither depends on
    the session's time zone. -#}
{% macro postgres__iso_pattern() -%}
    ^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})([T ]([0-9]{1,2}):([0-9]{2})(:([0-9]{2})([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$
{%- endmacro %}

{% macro postgres__iso_parts_are_valid(parts) -%}
    {#- `parts`: regexp_match(text, postgres__iso_pattern()), null when the text does not match.
        Groups 1-3 year, month, day; 5, 6, 8 hour, minute, second. The cases run in order, so
        make_date sees a month of 1 to 12 only. -#}
    (case
        when {{ parts }} is null then false
        when cast({{ parts }}[1] as integer) < 1 or cast({{ parts }}[2] as integer) not between 1 and 12 then false
        when cast({{ parts }}[3] as integer) not between 1
            and cast(extract(day from make_date(cast({{ parts }}[1] as integer), cast({{ parts }}[2] as integer), 1)
                + interval '1 month' - interval '1 day') as integer)
            then false
        else coalesce(cast({{ parts }}[6] as integer) <= 59 and cast({{ parts }}[8] as integer) <= 59, true)
            and coalesce(cast({{ parts }}[5] as integer) * 3600 + cast({{ parts }}[6] as integer) * 60
                + coalesce(cast({{ parts }}[8] as integer), 0) <= 86400, true)
    end)
{%- endmacro %}

{% macro postgres__iso_parsed(text, expression) -%}
    {#- `expression` over `parsed.value` (the text) and `parsed.parts` (its ISO groups), with the
        pattern matched once per value: PostgreSQL repeats regexp_match for every group read
        otherwise (ten times per value; measured, a 44k-row event table's staging took 27 s,
        most of it here). `offset 0` keeps the planner from inlining the subquery back. -#}
    (select {{ expression }}
        from (select {{ text }} as value, regexp_match({{ text }}, '{{ postgres__iso_pattern() }}') as parts offset 0) as parsed)
{%- endmacro %}

{% macro postgres__parse_timestamp(column) -%}
    {#- group 10 is the offset (Z, +02, +02:00, +0200) -#}
    {{ postgres__iso_parsed(clean_text(column), "case
        when not " ~ postgres__iso_parts_are_valid("parsed.parts") ~ " then null
        when parsed.parts[10] is not null then cast(cast(parsed.value as timestamptz) at time zone 'UTC' as timestamp)
        else cast(parsed.value as timestamp)
    end") }}
{%- endmacro %}

{% macro parse_date(column) -%}
    {{ return(adapter.dispatch('parse_date', 'lead_warehouse')(column)) }}
{%- endmacro %}

{% macro default__parse_date(column) -%}
    try_cast({{ clean_text(column) }} as date)
{%- endmacro %}

{% macro postgres__parse_date(column) -%}
    {{ postgres__iso_parsed(clean_text(column), "case
        when " ~ postgres__iso_parts_are_valid("parsed.parts") ~ "
            then make_date(cast(parsed.parts[1] as integer), cast(parsed.parts[2] as integer), cast(parsed.parts[3] as integer))
    end") }}
{%- endmacro %}

{% macro parse_number(column) -%}
    {#- A finite decimal number, or null. Rejected (null, so staging can quarantine the row as
        invalid_number): NaN, ±inf, exponents beyond the double range, and commas other than
        thousands separators — '12700,50' is a locale decimal comma we cannot read safely,
        '1,270,050.5' is fine. Values of 1e15 or more in magnitude are out of range for money,
        counts and spend alike. -#}
    case
        when {{ regex_matches(clean_text(column), '^[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)?([.][0-9]+)?([eE][+-]?[0-9]{1,3})?$') }}
            and {{ regex_matches(clean_text(column), '[0-9]') }}
            and abs(cast(replace({{ clean_text(column) }}, ',', '') as {{ type_double() }})) < 1e15
            then cast(replace({{ clean_text(column) }}, ',', '') as {{ type_double() }})
    end
{%- endmacro %}

{% macro parse_integer(column, max_value=100000000) -%}
    {#- A whole number between 0 and max_value (as text '250' or '250.0'), else null. -#}
    case
        when {{ parse_number(column) }} between 0 and {{ max_value }}
            and {{ parse_number(column) }} = floor({{ parse_number(column) }})
            then cast({{ parse_number(column) }} as bigint)
    end
{%- endmacro %}

{% macro is_implausible_timestamp(expression) -%}
    {#- Before var min_plausible_date (default 1970-01-01): a placeholder such as 1900-01-01,
        not a real event. -#}
    ({{ expression }} < cast('{{ var("min_plausible_date", "1970-01-01") }}' as timestamp))
{%- endmacro %}

{% macro normalize_email(column) -%}
    {{ return(adapter.dispatch('normalize_email', 'lead_warehouse')(column)) }}
{%- endmacro %}

{% macro default__normalize_email(column) -%}
    {#- Lower case without invisible characters (zero-width spaces and joiners, soft hyphen,
        BOM, word joiner), and full-width forms folded to ASCII (what NFKC does to an address
        typed on a CJK keyboard): 'ｊａｎｅ＠acme.com' and 'jane@acme.com' are one person. -#}
    lower(trim(translate(
        {{ regex_replace_all(column, '[\\x{00AD}\\x{200B}-\\x{200F}\\x{2028}-\\x{202E}\\x{2060}-\\x{2064}\\x{FEFF}]', '') }},
        '{{ fullwidth_ascii() }}',
        '{{ fullwidth_ascii(folded=true) }}'
    )))
{%- endmacro %}

{% macro duckdb__normalize_email(column) -%}
    {#- An all-ASCII address (bytes = characters) has nothing to strip or fold: DuckDB's translate()
        over the full-width table cost 12 s per million addresses, this test 0.1 s -#}
    case
        when strlen({{ column }}) = length({{ column }}) then lower(trim({{ column }}))
        else {{ default__normalize_email(column) }}
    end
{%- endmacro %}

{% macro postgres__normalize_email(column) -%}
    lower(trim({{ regex_replace_all("normalize(" ~ column ~ ", NFKC)", '[\\u00AD\\u200B-\\u200F\\u2028-\\u202E\\u2060-\\u2064\\uFEFF]', '') }}))
{%- endmacro %}

{% macro fullwidth_ascii(folded=false) -%}
    {#- The full-width forms of ASCII '!'..'~' (U+FF01..U+FF5E, which NFKC folds to ASCII) and
        their ASCII counterparts; quote and backslash are left out so both are safe literals. -#}
    {%- if folded -%}!"#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~{%- else -%}！＂＃＄％＆（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～{%- endif -%}
{%- endmacro %}

{% macro parse_boolean(column) -%}
    case lower({{ clean_text(column) }})
        when 'true' then true when 't' then true when 'yes' then true when 'y' then true when '1' then true
        when 'false' then false when 'f' then false when 'no' then false when 'n' then false when '0' then false
    end
{%- endmacro %}

{% macro normalize_enum(column) -%}
    {# 'Paid Search ' and 'paid-search' both become 'paid_search'. #}
    replace(replace(lower({{ clean_text(column) }}), ' ', '_'), '-', '_')
{%- endmacro %}

{% macro regex_matches(column, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'lead_warehouse')(column, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(column, pattern) -%}
    regexp_matches({{ column }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regex_matches(column, pattern) -%}
    ({{ column }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_matches(column, pattern) -%}
    ({{ column }} rlike '{{ spark_regex(pattern) }}')
{%- endmacro %}

{% macro is_valid_email(column) -%}
    coalesce({{ regex_matches(column, '^[^@[:space:]]+@[^@[:space:]]+\\.[a-z]{2,}$') }}, false)
{%- endmacro %}

{% macro as_of_literal() -%}
    {#- Read when dbt runs a node, not when it parses the project: dbt re-parses every file that
        read an environment variable whose value has changed, so an as_of read at parse time made
        each build at a new as_of re-parse the files that use it (measured: 14 s instead of 8 s for
        `dbt parse`). Parsing sees the default; nothing parsed depends on the value. -#}
    {%- set default = '2026-11-01 00:00:00' -%}
    {%- if not execute -%}
        {{ return(default) }}
    {%- endif -%}
    {{ return(var('as_of', env_var('LEAD_AS_OF', default))) }}
{%- endmacro %}

{% macro as_of() -%}
    cast('{{ as_of_literal() }}' as timestamp)
{%- endmacro %}


{% macro type_double() -%}
    {#- 64-bit float everywhere (dbt.type_float() is a 32-bit float on DuckDB). -#}
    {{ return(adapter.dispatch('type_double', 'lead_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro spark__type_double() -%}double{%- endmacro %}

{% macro round_to(expression, digits=none) -%}
    {#- round(expression[, digits]) of a double, half away from zero, still a double. -#}
    {{ return(adapter.dispatch('round_to', 'lead_warehouse')(expression, digits)) }}
{%- endmacro %}

{% macro default__round_to(expression, digits) -%}
    round({{ expression }}{% if digits is not none %}, {{ digits }}{% endif %})
{%- endmacro %}

{% macro postgres__round_to(expression, digits) -%}
    {#- As DuckDB rounds a double: its exact binary value, half away from zero (64.05 is
        64.04999999999999715… as a double: 64.0; PostgreSQL's round(numeric) would first write
        it with 15 digits, 64.05, and give 64.1). a = |x| times 10^digits is p + e exactly (p the
        double product, e its error, from Dekker's split of a into 26-bit halves: 10^digits has
        at most 14 bits for digits <= 4); p's fraction f = p - trunc(p) is exact, so a rounds up
        exactly when f - 0.5 >= -e. -#}
    {%- if digits is not none and digits > 4 -%}
        {{ exceptions.raise_compiler_error("round_to: at most 4 digits on PostgreSQL, got " ~ digits) }}
    {%- endif -%}
    {%- set scale = 10 ** (digits if digits is not none else 0) -%}
    {%- set a = "abs(cast(" ~ expression ~ " as double precision))" -%}
    {%- set p = "(" ~ a ~ " * " ~ scale ~ ")" -%}
    {%- set hi = "(134217729 * " ~ a ~ " - (134217729 * " ~ a ~ " - " ~ a ~ "))" -%}
    {%- set e = "((" ~ hi ~ " * " ~ scale ~ " - " ~ p ~ ") + (" ~ a ~ " - " ~ hi ~ ") * " ~ scale ~ ")" -%}
    (sign(cast({{ expression }} as double precision)) * (
        trunc({{ p }}) + case when ({{ p }} - trunc({{ p }})) - 0.5 >= -{{ e }} then 1 else 0 end
    ) / {{ scale }})
{%- endmacro %}

{% macro regex_replace_all(column, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'lead_warehouse')(column, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace_all(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regex_replace_all(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ spark_regex(pattern) }}', '{{ replacement | replace('\\', '\\\\') }}')
{%- endmacro %}

{% macro content_hash(columns) -%}
    {#- A hash of a raw row's content (the given text columns), independent of file order. -#}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(" ~ column ~ ", '')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{% macro version_columns(id_expression, updated_at=none) -%}
    {#- When an id is delivered more than once, one version is kept: the latest updated_at
        (where the table has one), then the lowest content hash — a deterministic choice that
        does not depend on file or row order. Needs a content_hash column. -#}
    {%- set window -%}
        partition by {{ id_expression }}
        order by {% if updated_at %}{{ updated_at }} desc nulls last, {% endif %}content_hash
    {%- endset -%}
    row_number() over ({{ window }}) as id_occurrence,
    first_value(content_hash) over ({{ window }}) as kept_content_hash
{%- endmacro %}

{% macro repeated_id_versions(typed, raw_rows, id_column, hash_columns) -%}
    {#- version_columns for a large table whose ids are nearly all delivered once (the 23M
        marketing events and the sales activities: 0.3 % of rows share an id at 1M leads): the
        rows of `typed` (a CTE of the typed raw rows, with _source_file and _source_row) with
        content_hash, id_occurrence and kept_content_hash, the values
        version_columns(clean_text(id_column)) gives them where an id is delivered more than
        once; id_occurrence 1 and no hashes for the other rows. A hash aggregate finds those ids;
        only their rows are hashed and sorted, and joined back on the raw row (_source_file,
        _source_row: unique in a raw table). At 1M leads, the whole events model alone:
        37.5-38.9 s instead of 63.9-65.4 s with a window over every row and md5 of every row.
        `raw_rows` is a subquery of the raw rows (read twice: inlined, not a CTE, which
        would be materialized). The null / blank ids are one id here as in the window. -#}
    {%- set id_key = "coalesce(" ~ clean_text(id_column) ~ ", '')" -%}
    select
        {{ typed }}.*,
        repeated_versions.content_hash,
        coalesce(repeated_versions.id_occurrence, 1) as id_occurrence,
        repeated_versions.kept_content_hash
    from {{ typed }}
    left join (
        select
            _source_file,
            _source_row,
            content_hash,
            row_number() over (partition by id_key order by content_hash) as id_occurrence,
            first_value(content_hash) over (partition by id_key order by content_hash) as kept_content_hash
        from (
            select
                _source_file,
                _source_row,
                {{ id_key }} as id_key,
                {{ content_hash(hash_columns) }} as content_hash
            from {{ raw_rows }} as raw_rows
        ) as keyed_rows
        where id_key in (
            select {{ id_key }}
            from {{ raw_rows }} as raw_rows
            group by {{ id_key }}
            having count(*) > 1
        )
    ) as repeated_versions
        on {{ typed }}._source_file = repeated_versions._source_file
            and {{ typed }}._source_row = repeated_versions._source_row
{%- endmacro %}

{% macro duplicate_reason() -%}
    {#- The versions not kept: an identical re-delivery, or an older / conflicting version. -#}
    case
        when id_occurrence > 1 and content_hash = kept_content_hash then 'duplicate_row'
        when id_occurrence > 1 then 'superseded_version'
    end
{%- endmacro %}
