-- Every valid CRM lifecycle record (a stage the CRM itself recorded) with the person (lead_id) of
-- the CRM record it names: a stage recorded on any record of a person belongs to that person.
-- Staging only keeps records whose lead record is staged, so every one has its person.
{{ with_person_key('stg_crm__lifecycle_events') }}
