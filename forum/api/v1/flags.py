"""Flags: flag a post, the moderators' queue, and resolving a post's flags."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.discussion.schemas import post_view
from forum.flags import schemas, services
from forum.flags.schemas import flag_view, flagged_post_view
from forum.schemas import pagination

RESOLVE_ERRORS = {
    401: ("not_authenticated",),
    403: ("forbidden",),
    409: ("flag_resolved",),
}


@operation(
    "POST",
    "/posts/<int:post_id>/flags",
    summary="Flag a post for the moderators of its area (one open flag per person and post).",
    body=schemas.NewFlag,
    answer=schemas.FlagAnswer,
    status=201,
    errors={
        401: ("not_authenticated",),
        403: ("suspended",),
        409: ("already_flagged", "own_post", "post_deleted"),
    },
)
def flag_post(post_id: int, body: schemas.NewFlag):
    flag = services.flag_post(current_user, post_id, body.reason, body.text)
    return schemas.FlagAnswer(flag=flag_view(flag, current_user))


@operation(
    "GET",
    "/flags",
    summary="Open flags the user may resolve, by post, a page at a time: posts flagged by "
    "several residents first, then the newest.",
    query=schemas.QueueQuery,
    answer=schemas.FlagQueue,
    errors={401: ("not_authenticated",), 403: ("forbidden",), 404: ("not_found",)},
)
def flag_queue(query: schemas.QueueQuery):
    groups, open_flags = services.queue(current_user, query.area_id, query.page, query.per_page)
    return schemas.FlagQueue(
        posts=[flagged_post_view(group, current_user) for group in groups.items],
        open=open_flags,
        meta=pagination(groups),
    )


@operation(
    "POST",
    "/posts/<int:post_id>/flags/dismiss",
    summary="Dismiss every open flag on the post; it stays as it is. Each flagger is told.",
    body=schemas.Dismissal,
    answer=schemas.Resolved,
    errors=RESOLVE_ERRORS,
)
def dismiss_flags(post_id: int, body: schemas.Dismissal):
    flags = services.dismiss(current_user, post_id, body.note)
    return _resolved(post_id, flags)


@operation(
    "POST",
    "/posts/<int:post_id>/flags/hide",
    summary="Hide the post with a reason and resolve every open flag on it. Each flagger is told.",
    body=schemas.Hiding,
    answer=schemas.Resolved,
    errors={**RESOLVE_ERRORS, 409: ("flag_resolved", "post_deleted")},
)
def hide_flagged_post(post_id: int, body: schemas.Hiding):
    flags = services.hide(current_user, post_id, body.reason)
    return _resolved(post_id, flags)


def _resolved(post_id: int, flags) -> schemas.Resolved:
    post = flags[0].post
    return schemas.Resolved(
        post=post_view(post, current_user), flags=[flag_view(f, current_user) for f in flags]
    )
