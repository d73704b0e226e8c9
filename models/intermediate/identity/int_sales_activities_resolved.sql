-- Every valid sales activity with the person (lead_id) of the CRM record it names: an activity on
-- any record of a person (merged or converted records included) belongs to that person. Staging
-- only keeps activities whose lead record is staged, so every activity has its person.
{{ with_person_key('stg_crm__sales_activities') }}
