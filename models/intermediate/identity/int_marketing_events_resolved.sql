-- Every valid marketing event with the person (lead_id) of the CRM record it names: an event on
-- any record of a person (merged or converted records included) belongs to that person. Staging
-- only keeps events whose lead record is staged, so every event has its person. An incremental
-- build recomputes the events int_marketing_events_changed lists.
{{ config_incremental_by_key('int_marketing_events_changed', 'event_id') }}
{{ with_person_key('int_marketing_events_enriched', only_restaged_keys('int_marketing_events_changed', 'event_id')) }}
