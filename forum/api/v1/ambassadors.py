"""An area with its ambassadors; one's bio; applying to be an ambassador, and deciding."""

from flask_login import current_user

from forum.ambassadors import schemas, services
from forum.api.v1.base import operation
from forum.areas.schemas import room_view
from forum.areas.services import load_area
from forum.policy import can
from forum.schemas import pagination

AUTH = {401: ("not_authenticated",)}
ADMIN = {401: ("not_authenticated",), 403: ("forbidden",)}


@operation(
    "GET",
    "/areas/<int:area_id>",
    summary="One area: its parent, sub-areas, readable rooms and ambassadors with their bios.",
    answer=schemas.AreaAnswer,
    errors={404: ("not_found",)},
)
def area(area_id: int):
    page = load_area(current_user, area_id)
    found = page.area
    return schemas.AreaAnswer(
        area=schemas.AreaDetail(
            id=found.id,
            kind=found.kind,
            number=found.number,
            name=found.name,
            slug=found.slug,
            archived=found.is_archived,
            parent=schemas.area_ref(found.parent) if found.parent else None,
            children=[schemas.area_ref(child) for child in page.children],
            rooms=[room_view(r, page.activity.get(r.id), current_user) for r in page.rooms],
            ambassadors=[schemas.ambassador_view(u) for u in page.ambassadors],
            district_ambassadors=[schemas.ambassador_view(u) for u in page.district_ambassadors],
            can_apply=can(current_user, "ambassador.apply", found),
        )
    )


@operation(
    "GET",
    "/me",
    summary="The logged-in user, with their bio.",
    answer=schemas.ProfileAnswer,
    errors=AUTH,
)
def me():
    return schemas.ProfileAnswer(user=schemas.profile_view(services.own_profile(current_user)))


@operation(
    "PATCH",
    "/me",
    summary="Change one's bio (plain text, at most 500 characters; empty removes it).",
    body=schemas.ProfileEdit,
    answer=schemas.ProfileAnswer,
    errors=AUTH | {422: ("invalid",)},
)
def edit_me(body: schemas.ProfileEdit):
    user = services.update_bio(current_user, body.bio)
    return schemas.ProfileAnswer(user=schemas.profile_view(user))


@operation(
    "GET",
    "/me/applications",
    summary="One's applications to be an ambassador, newest first, with their status.",
    answer=schemas.ApplicationList,
    errors=AUTH,
)
def my_applications():
    applications = services.own_applications(current_user)
    return schemas.ApplicationList(applications=[schemas.application_view(a) for a in applications])


@operation(
    "POST",
    "/areas/<int:area_id>/applications",
    summary="Apply to be an ambassador of a district or an osiedle.",
    description="One pending application per person and area: another is refused with 409 "
    "application_pending until the first is decided or withdrawn.",
    body=schemas.NewApplication,
    answer=schemas.ApplicationAnswer,
    status=201,
    errors={
        401: ("not_authenticated",),
        403: ("suspended",),
        404: ("not_found",),
        409: ("application_pending", "already_ambassador"),
        422: ("invalid",),
    },
)
def apply(area_id: int, body: schemas.NewApplication):
    application = services.apply(current_user, area_id, body.motivation, body.contact)
    return schemas.ApplicationAnswer(application=schemas.application_view(application))


@operation(
    "POST",
    "/applications/<int:application_id>/withdraw",
    summary="Withdraw one's own pending application.",
    body=schemas.Withdrawal,
    answer=schemas.ApplicationAnswer,
    errors=AUTH | {404: ("not_found",), 409: ("application_decided",)},
)
def withdraw_application(application_id: int, body: schemas.Withdrawal):
    application = services.withdraw(current_user, application_id)
    return schemas.ApplicationAnswer(application=schemas.application_view(application))


@operation(
    "GET",
    "/applications",
    summary="Applications to review (admins), a page at a time: pending first, oldest first; "
    "then decided ones.",
    query=schemas.ApplicationQuery,
    answer=schemas.ApplicationPage,
    errors=ADMIN | {422: ("invalid",)},
)
def applications(query: schemas.ApplicationQuery):
    found = services.applications_for_review(current_user, query.status, query.page, query.per_page)
    return schemas.ApplicationPage(
        applications=[schemas.application_view(a) for a in found.items], meta=pagination(found)
    )


@operation(
    "POST",
    "/applications/<int:application_id>/approve",
    summary="Approve an application (admins): the applicant becomes the area's ambassador.",
    body=schemas.Approval,
    answer=schemas.ApplicationAnswer,
    errors=ADMIN | {404: ("not_found",), 409: ("application_decided",), 422: ("invalid",)},
)
def approve_application(application_id: int, body: schemas.Approval):
    application = services.approve(current_user, application_id, body.message)
    return schemas.ApplicationAnswer(application=schemas.application_view(application))


@operation(
    "POST",
    "/applications/<int:application_id>/reject",
    summary="Reject an application (admins), saying why; the applicant is told.",
    body=schemas.Rejection,
    answer=schemas.ApplicationAnswer,
    errors=ADMIN | {404: ("not_found",), 409: ("application_decided",), 422: ("invalid",)},
)
def reject_application(application_id: int, body: schemas.Rejection):
    application = services.reject(current_user, application_id, body.message)
    return schemas.ApplicationAnswer(application=schemas.application_view(application))
