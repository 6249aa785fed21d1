"""The sync item's words fit the status bar at 1366 px: today's sync shows its time only."""

from datetime import UTC, date, datetime, timedelta

from ui.team.sync_status import synced_words


def test_a_sync_today_shows_its_time_only_and_another_day_shows_the_date():
    now = datetime.now(UTC).replace(microsecond=0)
    local = now.astimezone()
    assert synced_words(now.isoformat(), local.date()) == f"Synced at {local:%H:%M}"
    assert synced_words(now.isoformat(), local.date() + timedelta(days=1)) == f"Synced {local:%d/%m/%Y %H:%M}"
    assert synced_words(None) == "Not synced yet"


def test_a_date_in_another_year_is_not_mistaken_for_today():
    then = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
    assert synced_words(then.isoformat(), date(2026, 3, 4)).startswith("Synced 04/03/2025")
