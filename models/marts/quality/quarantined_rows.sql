-- Every raw row that could not be staged, with the reason. Together with the staging models
-- this accounts for every raw row (see raw_row_reconciliation and its test).
{% set quarantine_sources = [
    ('leads', 'base_crm__leads', 'source_lead_id'),
    ('accounts', 'base_crm__accounts', 'account_id'),
    ('sales_activities', 'base_crm__sales_activities', 'activity_id'),
    ('opportunities', 'base_crm__opportunities', 'opportunity_id'),
    ('reps', 'base_crm__reps', 'rep_id'),
    ('teams', 'base_crm__teams', 'team_id'),
    ('territories', 'base_crm__territories', 'territory_id'),
    ('sales_targets', 'base_crm__sales_targets', 'target_id'),
    ('marketing_events', 'base_marketing__marketing_events', 'event_id'),
    ('campaigns', 'base_marketing__campaigns', 'campaign_id'),
    ('marketing_spend', 'base_marketing__marketing_spend', 'spend_id')
] %}

{% for table_name, base_model, id_column in quarantine_sources %}
    select
        {{ dbt.hash(dbt.concat(["'" ~ table_name ~ "'", "'|'", "cast(_source_row as " ~ dbt.type_string() ~ ")"])) }}
            as quarantined_row_id,
        '{{ table_name }}' as source_table,
        _source_file as source_file,
        cast(_source_row as bigint) as source_row,
        {{ id_column }} as record_id,
        quarantine_reason
    from {{ ref(base_model) }}
    where quarantine_reason is not null
    {% if not loop.last %}union all{% endif %}
{% endfor %}
