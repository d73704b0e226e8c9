-- SLA policies (seeds/sla/sla_policies.csv), checked before any clock runs: an unknown event,
-- a non-positive target or an unknown time basis fails the build naming the policy.
{%- set events = ['mql', 'sal', 'sql', 'opportunity', 'assigned', 'sdr_touch', 'sdr_decision', 'ae_next_step'] %}
{%- set event_list = "('" ~ events | join("', '") ~ "')" %}
{{ assert_valid_config('sla_policies', 'sla_id', [
    ("start_event is null or start_event not in " ~ event_list, "unknown start_event (allowed: " ~ events | join(', ') ~ ")"),
    ("stop_event is null or stop_event not in " ~ event_list, "unknown stop_event (allowed: " ~ events | join(', ') ~ ")"),
    ("start_event = stop_event", "start_event and stop_event are the same"),
    ("target_minutes is null or target_minutes <= 0", "target_minutes must be a positive number of minutes"),
    ("time_basis not in ('business', 'clock') or time_basis is null", "time_basis must be business or clock"),
    ("band_scope not in ('any', 'hot', 'mql') or band_scope is null", "band_scope must be any, hot or mql"),
    ("motion_scope not in ('any', 'inbound', 'outbound') or motion_scope is null",
        "motion_scope must be any, inbound or outbound"),
    ("segment_scope not in ('any', 'smb', 'mid_market', 'enterprise', 'unknown') or segment_scope is null",
        "segment_scope must be any or a segment"),
    ("at_risk_share is null or at_risk_share <= 0 or at_risk_share >= 1", "at_risk_share must be between 0 and 1"),
    ("actionable_days is null or actionable_days < 0", "actionable_days must be zero or more days"),
]) }}

select
    sla_id,
    sla_name,
    owner_role,
    start_event,
    stop_event,
    target_minutes,
    time_basis,
    band_scope,
    motion_scope,
    segment_scope,
    at_risk_share,
    actionable_days
from {{ ref('sla_policies') }}
