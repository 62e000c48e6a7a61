"""A moderator's reason: its rules, its declared shape, and cleaning it.

One home for what hiding, locking, muting, resolving flags and suspending all ask for, so the
forms, the API document and the log agree (the log's column holds 500 characters).
"""

from __future__ import annotations

from typing import Annotated

from flask_babel import gettext as _
from pydantic import Field

from forum import text
from forum.errors import ValidationError

REASON_MIN_LENGTH, REASON_MAX_LENGTH = 3, 500

Reason = Annotated[
    str,
    Field(
        description="At least 3 characters once trimmed.",
        json_schema_extra={"minLength": REASON_MIN_LENGTH, "maxLength": REASON_MAX_LENGTH},
    ),
]
OptionalReason = Annotated[
    str,
    Field(
        description="Empty, or at least 3 characters once trimmed; written to the public log.",
        json_schema_extra={"maxLength": REASON_MAX_LENGTH},
    ),
]


def clean_reason(reason: str | None, required: bool = True, field: str = "reason") -> str:
    """The reason as stored (forum/text.py), or a field error; an optional one may be empty."""
    reason, problem = text.clean(reason)
    if not problem and not reason and not required:
        return ""
    if not problem and not REASON_MIN_LENGTH <= len(reason) <= REASON_MAX_LENGTH:
        problem = _(
            "Give a reason of %(low)d to %(high)d characters.",
            low=REASON_MIN_LENGTH,
            high=REASON_MAX_LENGTH,
        )
    if problem:
        raise ValidationError(_("Some fields need correcting."), {field: problem})
    return reason
