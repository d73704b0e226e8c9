-- mql_agreement_matrix counts lead_mql_comparison: per cell (band at the CRM's MQL, CRM MQL yes /
-- no, score MQL yes / no) the same number of leads, and the cells add up to every lead. Returns
-- the cells that differ, and a 'total' row when the sum is off.
with

comparison as (

    select * from {{ ref('lead_mql_comparison') }}

),

matrix as (

    select * from {{ ref('mql_agreement_matrix') }}

),

expected as (

    select
        coalesce(band_at_crm_mql, 'none') as band_at_crm_mql,
        crm_mql_at is not null as has_crm_mql,
        score_mql_at is not null as has_score_mql,
        count(*) as lead_count
    from comparison
    group by 1, 2, 3

),

cell_differences as (

    select
        matrix.band_at_crm_mql,
        matrix.has_crm_mql,
        matrix.has_score_mql,
        matrix.lead_count as matrix_count,
        coalesce(expected.lead_count, 0) as expected_count
    from matrix
    left join expected
        on
            matrix.band_at_crm_mql = expected.band_at_crm_mql
            and matrix.has_crm_mql = expected.has_crm_mql
            and matrix.has_score_mql = expected.has_score_mql
    where matrix.lead_count != coalesce(expected.lead_count, 0)

),

total_difference as (

    select
        'total' as band_at_crm_mql,
        cast(null as boolean) as has_crm_mql,
        cast(null as boolean) as has_score_mql,
        (select sum(m.lead_count) from matrix as m) as matrix_count,
        (select count(*) from comparison) as expected_count

)

select * from cell_differences
union all
select * from total_difference
where matrix_count != expected_count
