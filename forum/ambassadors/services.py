"""Applying to be an ambassador, deciding applications, and the short bio ambassadors show."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, select
from sqlalchemy import text as sql
from sqlalchemy.orm import joinedload

from forum import text
from forum.accounts import services as accounts
from forum.accounts.models import User
from forum.admin import audit
from forum.ambassadors.models import AmbassadorApplication
from forum.ambassadors.schemas import (
    BIO_MAX,
    CONTACT_MAX,
    CONTACT_MIN,
    MESSAGE_MAX,
    MESSAGE_MIN,
    MOTIVATION_MAX,
    MOTIVATION_MIN,
)
from forum.areas.models import Area
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db, insert_unless_taken, utcnow
from forum.notifications.services import notify
from forum.policy import ensure, refusal

APPLICATIONS_PER_PAGE = 20  # on a page of the admins' review


def _length_problem(value: str, low: int, high: int) -> str | None:
    if len(value) < low:
        return ngettext(
            "Must have at least %(num)d character.", "Must have at least %(num)d characters.", low
        )
    if len(value) > high:
        return ngettext(
            "Must have at most %(num)d character.", "Must have at most %(num)d characters.", high
        )
    return None


def _checked(fields: dict[str, tuple[str | None, bool, int, int]]) -> dict[str, str]:
    """Each field cleaned (forum/text.py) and measured; a 422 naming every field that is wrong.

    `fields` maps a name to (value, multiline, minimum, maximum).
    """
    cleaned, problems = {}, {}
    for name, (value, multiline, low, high) in fields.items():
        value, problem = text.clean(value, multiline=multiline)
        problem = problem or _length_problem(value, low, high)
        if problem:
            problems[name] = problem
        cleaned[name] = value
    if problems:
        raise ValidationError(_("Some fields need correcting."), problems)
    return cleaned


def _pending_conflict() -> Conflict:
    return Conflict(
        _("You have already applied for this area; wait for the coordinators' decision."),
        code="application_pending",
    )


def access_area(area_id: int) -> Area:
    area = db.session.get(Area, area_id)
    if area is None:
        raise NotFound(_("There is no such area."))
    return area


def has_pending(user_id: int, area_id: int) -> bool:
    pending = select(AmbassadorApplication.id).where(
        AmbassadorApplication.user_id == user_id,
        AmbassadorApplication.area_id == area_id,
        AmbassadorApplication.status == "pending",
    )
    return db.session.scalar(pending) is not None


def apply(user, area_id: int, motivation: str, contact: str) -> AmbassadorApplication:
    """Apply to be an ambassador of an area; one pending application per person and area."""
    area = access_area(area_id)
    ensure(user, "ambassador.apply", area)
    values = _checked(
        {
            "motivation": (motivation, True, MOTIVATION_MIN, MOTIVATION_MAX),
            "contact": (contact, False, CONTACT_MIN, CONTACT_MAX),
        }
    )
    if has_pending(user.id, area.id):
        raise _pending_conflict()
    application_id = insert_unless_taken(
        AmbassadorApplication,
        {"user_id": user.id, "area_id": area.id, "created_at": utcnow(), "status": "pending"}
        | values,
        ["user_id", "area_id"],
        sql("status = 'pending'"),  # one pending per person and area: the index's own words
    )
    if application_id is None:  # a request of the same person's got there first
        raise _pending_conflict()
    return db.session.get(AmbassadorApplication, application_id)


def access_application(application_id: int) -> AmbassadorApplication:
    application = db.session.get(
        AmbassadorApplication,
        application_id,
        options=[
            joinedload(AmbassadorApplication.area),
            joinedload(AmbassadorApplication.user),
            joinedload(AmbassadorApplication.decided_by),
        ],
    )
    if application is None:
        raise NotFound(_("There is no such application."))
    return application


def withdraw(user, application_id: int) -> AmbassadorApplication:
    """The applicant takes back a pending application."""
    application = access_application(application_id)
    ensure(user, "application.withdraw", application)
    application.status = "withdrawn"
    application.decided_at = utcnow()
    return application


def _with_people():
    return (
        joinedload(AmbassadorApplication.area),
        joinedload(AmbassadorApplication.user),
        joinedload(AmbassadorApplication.decided_by),
    )


def own_applications(user) -> list[AmbassadorApplication]:
    """The person's applications, newest first."""
    own_profile(user)
    return list(
        db.session.scalars(
            select(AmbassadorApplication)
            .where(AmbassadorApplication.user_id == user.id)
            .options(*_with_people())
            .order_by(AmbassadorApplication.id.desc())
        )
    )


def applications_for_review(
    admin, status: str | None = None, page: int = 1, per_page: int = APPLICATIONS_PER_PAGE
):
    """A page of the applications (or of those of one status), a Flask-SQLAlchemy page: pending
    first, oldest first among them; then the others, most recently decided first."""
    ensure(admin, "applications.review", None)
    query = select(AmbassadorApplication).options(*_with_people())
    if status is not None:
        query = query.where(AmbassadorApplication.status == status)
    pending_first = case((AmbassadorApplication.status == "pending", 0), else_=1)
    # Pending ones by age (oldest waits longest); decided ones newest decision first.
    order = case(
        (AmbassadorApplication.status == "pending", AmbassadorApplication.id),
        else_=-AmbassadorApplication.id,
    )
    query = query.order_by(pending_first, order)
    return db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)


def _decide(admin, application_id: int) -> AmbassadorApplication:
    # Asked before the lookup: to anyone but an admin, every application id looks the same.
    ensure(admin, "applications.review", None)
    application = access_application(application_id)
    if application.status != "pending":
        raise refusal("application_decided", application)
    return application


def _audit_detail(application: AmbassadorApplication, message: str) -> str:
    detail = f"{application.user.display_name} · {application.area.label}"
    return f"{detail}: {message}" if message else detail


def approve(admin, application_id: int, message: str = "") -> AmbassadorApplication:
    """Make the applicant an ambassador of the area, and tell them (with the admin's words)."""
    application = _decide(admin, application_id)
    message = _checked({"message": (message, False, 0, MESSAGE_MAX)})["message"]
    accounts.grant_role(admin, application.user, "ambassador", application.area, announce=False)
    application.status = "approved"
    application.decided_at = utcnow()
    application.decided_by = admin
    application.decision_message = message
    audit.record(
        admin,
        "application_approved",
        f"application:{application.id}",
        _audit_detail(application, message),
    )
    notify(
        application.user_id,
        "application_approved",
        actor_id=admin.id,
        area_id=application.area_id,
        message=message,
    )
    return application


def reject(admin, application_id: int, message: str) -> AmbassadorApplication:
    """Turn an application down; the applicant is told why."""
    application = _decide(admin, application_id)
    message = _checked({"message": (message, False, MESSAGE_MIN, MESSAGE_MAX)})["message"]
    application.status = "rejected"
    application.decided_at = utcnow()
    application.decided_by = admin
    application.decision_message = message
    audit.record(
        admin,
        "application_rejected",
        f"application:{application.id}",
        _audit_detail(application, message),
    )
    notify(
        application.user_id,
        "application_rejected",
        actor_id=admin.id,
        area_id=application.area_id,
        message=message,
    )
    return application


def own_profile(user) -> User:
    """The logged-in person; a guest is asked to log in."""
    ensure(user, "user.read_stream", user)
    return user


def update_bio(user, bio: str) -> User:
    """One's short bio, shown beside one's name on the pages of the areas one serves."""
    own_profile(user)
    user.bio = _checked({"bio": (bio, True, 0, BIO_MAX)})["bio"]
    return user
