-- One row per input table: raw, staged, quarantined and mapped-to-other rows, the change
-- against the last successful build, and whether the thresholds of
-- seeds/quality/data_quality_thresholds.csv hold. A table that breaks one fails the build
-- (the test on status), so nothing is published; leadwarehouse.quality prints this table.
with

reconciliation as (

    select * from {{ ref('raw_row_reconciliation') }}

),

issues as (

    select * from {{ ref('data_quality_issues') }}

),

previous_build as (

    select * from {{ ref('stg_build_meta__last_good_input_counts') }}

),

thresholds as (

    select * from {{ ref('data_quality_thresholds') }}

),

default_thresholds as (

    select * from thresholds
    where source_table = '*'

),

issue_counts as (

    select
        source_table,
        sum(case when issue_kind = 'quarantined' then affected_rows else 0 end) as quarantined_rows,
        sum(case when issue_kind = 'mapped_to_other' then affected_rows else 0 end) as mapped_to_other_values
    from issues
    group by source_table

),

measured as (

    select
        reconciliation.source_table,
        reconciliation.raw_rows,
        reconciliation.staged_rows,
        reconciliation.quarantined_rows,
        coalesce(issue_counts.mapped_to_other_values, 0) as mapped_to_other_values,
        previous_build.raw_rows as previous_raw_rows,
        coalesce(table_thresholds.min_rows, default_thresholds.min_rows) as min_rows,
        coalesce(table_thresholds.max_quarantined_share, default_thresholds.max_quarantined_share)
            as max_quarantined_share,
        coalesce(table_thresholds.max_other_share, default_thresholds.max_other_share) as max_other_share,
        coalesce(table_thresholds.max_drop_share, default_thresholds.max_drop_share) as max_drop_share
    from reconciliation
    left join issue_counts on reconciliation.source_table = issue_counts.source_table
    left join previous_build on reconciliation.source_table = previous_build.source_table
    left join thresholds as table_thresholds on reconciliation.source_table = table_thresholds.source_table
    cross join default_thresholds

),

shares as (

    select
        *,
        case when raw_rows > 0 then 1.0 * quarantined_rows / raw_rows else 0 end as quarantined_share,
        case when raw_rows > 0 then 1.0 * mapped_to_other_values / raw_rows else 0 end as other_share,
        case
            when previous_raw_rows > 0 then 1.0 * (previous_raw_rows - raw_rows) / previous_raw_rows
        end as drop_share
    from measured

),

checked as (

    select
        *,
        raw_rows < min_rows as is_below_min_rows,
        quarantined_share > max_quarantined_share as is_over_quarantine_share,
        other_share > max_other_share as is_over_other_share,
        coalesce(drop_share > max_drop_share, false) as is_over_drop_share
    from shares

)

select
    source_table,
    cast(raw_rows as bigint) as raw_rows,
    cast(staged_rows as bigint) as staged_rows,
    cast(quarantined_rows as bigint) as quarantined_rows,
    cast(mapped_to_other_values as bigint) as mapped_to_other_values,
    cast(previous_raw_rows as bigint) as previous_raw_rows,
    {{ round_to("cast(quarantined_share as " ~ type_double() ~ ")", 4) }} as quarantined_share,
    {{ round_to("cast(other_share as " ~ type_double() ~ ")", 4) }} as other_share,
    {{ round_to("cast(drop_share as " ~ type_double() ~ ")", 4) }} as drop_share,
    cast(min_rows as bigint) as min_rows,
    max_quarantined_share,
    max_other_share,
    max_drop_share,
    case
        when is_below_min_rows or is_over_quarantine_share or is_over_other_share or is_over_drop_share
            then 'fail'
        else 'ok'
    end as status,
    {{ dbt.concat([
        "case when is_below_min_rows then 'fewer rows than min_rows; ' else '' end",
        "case when is_over_quarantine_share then 'quarantined share over max_quarantined_share; ' else '' end",
        "case when is_over_other_share then 'unmapped picklist share over max_other_share; ' else '' end",
        "case when is_over_drop_share then 'row count dropped more than max_drop_share since the last good build; ' else '' end"
    ]) }} as failed_checks
from checked
