"""Meeting times: stored in UTC, entered and shown in Kraków's time (Europe/Warsaw), which
moves an hour on the last Sundays of March and October."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

WARSAW = ZoneInfo("Europe/Warsaw")


class NotALocalTime(ValueError):
    """A wall-clock time that does not exist in Kraków (skipped when the clocks go forward)."""


def to_utc(value: datetime) -> datetime:
    """An aware time as UTC; a naive one is read as Kraków's wall-clock time.

    A naive time the clocks skip (02:30 on the last Sunday of March) is refused rather than
    silently moved. One the clocks pass twice (02:30 on the last Sunday of October) is the
    first of the two, as zoneinfo's fold=0 says.
    """
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    local = value.replace(tzinfo=WARSAW)
    utc = local.astimezone(UTC)
    if utc.astimezone(WARSAW).replace(tzinfo=None) != value:
        raise NotALocalTime(
            _(
                "%(time)s does not exist in Kraków: the clocks go forward an hour then.",
                time=value.strftime("%Y-%m-%d %H:%M"),
            )
        )
    return utc


def local(value: datetime) -> datetime:
    """A stored (UTC) time as Kraków's time."""
    return value.astimezone(WARSAW)


def local_input(value: datetime | None) -> str:
    """A stored time as a form's datetime-local value ("2026-10-25T10:00"), in Kraków."""
    return local(value).strftime("%Y-%m-%dT%H:%M") if value is not None else ""
