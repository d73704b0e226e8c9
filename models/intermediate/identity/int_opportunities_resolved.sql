-- Every valid opportunity with the person (lead_id) of the CRM record it was converted from: an
-- opportunity on any record of a person (merged or converted records included) belongs to that
-- person. Staging only keeps opportunities whose lead record is staged, so every one has its person.
{{ with_person_key('stg_crm__opportunities') }}
