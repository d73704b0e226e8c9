-- seeds/enrichment/email_domain_rules.csv: type_precedence decides which email type wins when
-- several rules match one domain, so it is a property of the type: every email type has exactly
-- one precedence, and no two types share one (else the winner would depend on the type's name).
with

rules as (

    select * from {{ ref('email_domain_rules') }}

),

types_with_several_precedences as (

    select
        email_type,
        'several precedences' as problem
    from rules
    group by email_type
    having count(distinct type_precedence) > 1

),

precedences_with_several_types as (

    select
        min(email_type) as email_type,
        'precedence shared with another type' as problem
    from rules
    group by type_precedence
    having count(distinct email_type) > 1

)

select * from types_with_several_precedences
union all
select * from precedences_with_several_types
