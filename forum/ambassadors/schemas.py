"""Shapes of ambassadors, their applications, and an area's page."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from forum.accounts.schemas import Person, User, person_view, user_view
from forum.ambassadors.models import AmbassadorApplication
from forum.areas.schemas import Room
from forum.schemas import Id, Input, PageQuery, Pagination, Shape

MOTIVATION_MIN, MOTIVATION_MAX = 30, 2000
CONTACT_MIN, CONTACT_MAX = 3, 200
MESSAGE_MIN, MESSAGE_MAX = 3, 1000
BIO_MAX = 500

Status = Literal["pending", "approved", "rejected", "withdrawn"]


class Ambassador(Person):
    """An ambassador as residents see them on an area's page."""

    bio: str = Field(description="Their short bio, plain text (may be empty).")


class AreaRef(Shape):
    id: Id
    kind: Literal["city", "district", "subarea"]
    name: str = Field(description='With a district\'s numeral, e.g. "XIII Podgórze".')


class AreaDetail(Shape):
    """An area with its parent, sub-areas, readable rooms and ambassadors."""

    id: Id
    kind: Literal["city", "district", "subarea"]
    number: str = Field(description='Roman numeral of a district, or "".')
    name: str
    slug: str
    archived: bool
    parent: AreaRef | None
    children: list[AreaRef]
    rooms: list[Room]
    ambassadors: list[Ambassador] = Field(description="The area's own ambassadors.")
    district_ambassadors: list[Ambassador] = Field(
        description="For an osiedle: the ambassadors of its district, who serve it too."
    )
    can_apply: bool = Field(description="Whether the viewer may apply to be its ambassador.")


class AreaAnswer(Shape):
    area: AreaDetail


class Application(Shape):
    """An application to be an ambassador of an area."""

    id: Id
    area: AreaRef
    applicant: Person
    motivation: str
    contact: str
    status: Status
    created_at: datetime
    decided_at: datetime | None
    decided_by: Person | None
    decision_message: str


class ApplicationAnswer(Shape):
    application: Application


class ApplicationList(Shape):
    applications: list[Application]


class ApplicationPage(ApplicationList):
    meta: Pagination = Field(description="Pages of applications.")


class NewApplication(Input):
    motivation: str = Field(
        description=f"Why you (between {MOTIVATION_MIN} and {MOTIVATION_MAX} characters)."
    )
    contact: str = Field(
        description=f"How to reach you: phone, e-mail, hours ({CONTACT_MIN}–{CONTACT_MAX} chars)."
    )


class Withdrawal(Input):
    """Nothing to say: an empty object."""


class Approval(Input):
    message: str = Field("", description=f"Optional words to the applicant (≤ {MESSAGE_MAX}).")


class Rejection(Input):
    message: str = Field(description=f"Why ({MESSAGE_MIN}–{MESSAGE_MAX} characters).")


class ApplicationQuery(PageQuery):
    status: Status | None = Field(None, description="Only applications with this status.")


class ProfileEdit(Input):
    bio: str = Field(description=f"A short bio, plain text, at most {BIO_MAX} characters.")


class Profile(User):
    """The logged-in user as they see themselves."""

    bio: str


class ProfileAnswer(Shape):
    user: Profile


def area_ref(area) -> AreaRef:
    return AreaRef(id=area.id, kind=area.kind, name=area.label)


def ambassador_view(user) -> Ambassador:
    return Ambassador(id=user.id, display_name=user.display_name, bio=user.bio or "")


def profile_view(user) -> Profile:
    return Profile(**user_view(user).model_dump(), bio=user.bio or "")


def application_view(application: AmbassadorApplication) -> Application:
    return Application(
        id=application.id,
        area=area_ref(application.area),
        applicant=person_view(application.user),
        motivation=application.motivation,
        contact=application.contact,
        status=application.status,
        created_at=application.created_at,
        decided_at=application.decided_at,
        decided_by=person_view(application.decided_by) if application.decided_by else None,
        decision_message=application.decision_message or "",
    )
