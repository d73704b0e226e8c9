"""Schedules: the scoring refresh every hour, the full build every night (UTC)."""

from datetime import UTC, datetime

import dagster as dg

from orchestration.constants import DAILY_BUILD_HOUR_UTC, SCHEDULED_AT_TAG
from orchestration.jobs import daily_full_build, hourly_scoring_refresh
from orchestration.resources import format_as_of


def _tick_time(context: dg.ScheduleEvaluationContext) -> datetime:
    return context.scheduled_execution_time or datetime.now(UTC)


@dg.schedule(
    name="hourly_scoring_refresh_schedule",
    job=hourly_scoring_refresh,
    cron_schedule="0 * * * *",
    execution_timezone="UTC",
    description="Refresh scores, stages, exports and the published copy at the top of every hour "
    f"(except {DAILY_BUILD_HOUR_UTC:02d}:00, when the daily full build does it all).",
)
def hourly_scoring_refresh_schedule(context: dg.ScheduleEvaluationContext):
    tick = _tick_time(context)
    if tick.astimezone(UTC).hour == DAILY_BUILD_HOUR_UTC:
        return dg.SkipReason(f"the daily full build runs at {DAILY_BUILD_HOUR_UTC:02d}:00 UTC")
    return dg.RunRequest(run_key=f"hourly-{tick.isoformat()}", tags={SCHEDULED_AT_TAG: format_as_of(tick)})


@dg.schedule(
    name="daily_full_build_schedule",
    job=daily_full_build,
    cron_schedule=f"0 {DAILY_BUILD_HOUR_UTC} * * *",
    execution_timezone="UTC",
    description="Rebuild everything from scratch (a full refresh of the incremental models) and test it once a day.",
)
def daily_full_build_schedule(context: dg.ScheduleEvaluationContext):
    tick = _tick_time(context)
    return dg.RunRequest(
        run_key=f"daily-{tick.isoformat()}",
        tags={SCHEDULED_AT_TAG: format_as_of(tick)},
        # the hourly runs go on from each other (docs/incremental.md); once a day nothing is carried over
        run_config={"ops": {"lead_warehouse_dbt": {"config": {"full_refresh": True}}}},
    )


SCHEDULES = (hourly_scoring_refresh_schedule, daily_full_build_schedule)
