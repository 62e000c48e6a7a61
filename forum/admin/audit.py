"""Writing the admin area's audit log, in the transaction of the change it records."""

from __future__ import annotations

from forum.admin.models import AuditEntry
from forum.extensions import db, utcnow

# Every change the audit log records.
ACTIONS = (
    "area_added",
    "area_renamed",
    "area_archived",
    "area_restored",
    "room_added",
    "room_renamed",
    "room_archived",
    "room_restored",
    "room_visibility",
    "room_member_added",
    "room_member_removed",
    "unit_added",
    "unit_renamed",
    "role_granted",
    "role_withdrawn",
    "application_approved",
    "application_rejected",
    "user_suspended",
    "user_unsuspended",
    "category_added",
    "category_renamed",
    "category_archived",
    "category_restored",
    "edition_added",
    "edition_made_current",
    "allocation_set",
)


def record(actor, action: str, target: str, detail: str = "") -> AuditEntry:
    """Log an admin's change; `actor` None is the operator on the command line."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    entry = AuditEntry(
        created_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target=target,
        detail=detail,
    )
    db.session.add(entry)
    return entry
