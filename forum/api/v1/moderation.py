"""Moderation: hide and restore posts; lock, pin and move threads; mute people; the public log."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.discussion.schemas import PostAnswer, post_view, thread_view
from forum.moderation import schemas, services
from forum.moderation.schemas import entry_view, mute_view
from forum.schemas import PageQuery, pagination

REFUSED = {401: ("not_authenticated",), 403: ("forbidden",)}


@operation(
    "PUT",
    "/posts/<int:post_id>/hidden",
    summary="Hide a post (moderators of its area): readers see the reason in its place.",
    description="The author is notified; the action goes to the public moderation log.",
    body=schemas.HidePost,
    answer=PostAnswer,
    errors=REFUSED | {409: ("post_hidden", "post_deleted")},
)
def hide_post(post_id: int, body: schemas.HidePost):
    post = services.hide_post(current_user, post_id, body.reason)
    return PostAnswer(post=post_view(post, current_user))


@operation(
    "DELETE",
    "/posts/<int:post_id>/hidden",
    summary="Show a hidden post to everyone again (moderators of its area).",
    answer=PostAnswer,
    errors=REFUSED | {409: ("post_not_hidden", "post_deleted")},
)
def restore_post(post_id: int):
    post = services.restore_post(current_user, post_id)
    return PostAnswer(post=post_view(post, current_user))


def _thread_operation(method: str, rule: str, summary: str, service, codes: tuple[str, ...]):
    def view(thread_id: int, body: schemas.ThreadAction | None = None):
        thread = service(current_user, thread_id, body.reason if body else None)
        return schemas.ThreadAnswer(thread=thread_view(thread, current_user))

    view.__name__ = service.__name__
    return operation(
        method,
        rule,
        summary=summary,
        body=schemas.ThreadAction if method == "PUT" else None,
        answer=schemas.ThreadAnswer,
        errors=REFUSED | {409: (*codes, "thread_deleted")},
    )(view)


_thread_operation(
    "PUT",
    "/threads/<int:thread_id>/lock",
    "Lock a thread (moderators of its area): no new posts or edits but theirs.",
    services.lock_thread,
    ("thread_locked",),
)
_thread_operation(
    "DELETE",
    "/threads/<int:thread_id>/lock",
    "Unlock a thread (moderators of its area).",
    services.unlock_thread,
    ("thread_not_locked",),
)
_thread_operation(
    "PUT",
    "/threads/<int:thread_id>/pin",
    "Pin a thread at the top of its room (moderators of its area).",
    services.pin_thread,
    ("thread_pinned",),
)
_thread_operation(
    "DELETE",
    "/threads/<int:thread_id>/pin",
    "Unpin a thread (moderators of its area).",
    services.unpin_thread,
    ("thread_not_pinned",),
)


@operation(
    "POST",
    "/threads/<int:thread_id>/move",
    summary="Move a thread to another room of its district (moderators of both rooms).",
    description="The thread's author is notified. A room outside the district, archived or "
    "unknown is a 422 naming room_id.",
    body=schemas.MoveThread,
    answer=schemas.ThreadAnswer,
    errors=REFUSED | {409: ("thread_deleted",)},
)
def move_thread(thread_id: int, body: schemas.MoveThread):
    thread = services.move_thread(current_user, thread_id, body.room_id, body.reason)
    return schemas.ThreadAnswer(thread=thread_view(thread, current_user))


@operation(
    "GET",
    "/rooms/<int:room_id>/mutes",
    summary="Who is muted in the room now (its moderators), a page at a time.",
    query=PageQuery,
    answer=schemas.MuteList,
    errors=REFUSED,
)
def room_mutes(room_id: int, query: PageQuery):
    _room, mutes = services.room_mutes(current_user, room_id, query.page, query.per_page)
    return schemas.MuteList(mutes=[mute_view(m) for m in mutes.items], meta=pagination(mutes))


@operation(
    "POST",
    "/rooms/<int:room_id>/mutes",
    summary="Mute a person in the room: they may read, not write, until it ends.",
    description="Replaces the person's active mute in the room; the person is notified.",
    body=schemas.NewMute,
    answer=schemas.MuteAnswer,
    status=201,
    errors=REFUSED | {409: ("cannot_mute_self", "cannot_mute_moderator")},
)
def mute(room_id: int, body: schemas.NewMute):
    new = services.mute(current_user, room_id, body.user_id, body.minutes, body.reason)
    return schemas.MuteAnswer(mute=mute_view(new))


@operation(
    "DELETE",
    "/mutes/<int:mute_id>",
    summary="Lift a mute before it ends (moderators of its room).",
    answer=schemas.MuteAnswer,
    errors=REFUSED | {409: ("mute_not_active",)},
)
def unmute(mute_id: int):
    return schemas.MuteAnswer(mute=mute_view(services.unmute(current_user, mute_id)))


@operation(
    "GET",
    "/rooms/<int:room_id>/moderation-log",
    summary="The room's public moderation log, newest first.",
    query=PageQuery,
    answer=schemas.EntryPage,
)
def room_log(room_id: int, query: PageQuery):
    _room, entries = services.room_log(current_user, room_id, query.page, query.per_page)
    return schemas.EntryPage(
        entries=[entry_view(e, current_user) for e in entries.items], meta=pagination(entries)
    )


@operation(
    "GET",
    "/areas/<int:area_id>/moderation-log",
    summary="An area's public moderation log (its osiedla included), newest first.",
    description="The city's log has every entry a reader may see, site-wide ones included.",
    query=PageQuery,
    answer=schemas.EntryPage,
)
def area_log(area_id: int, query: PageQuery):
    _area, entries = services.area_log(current_user, area_id, query.page, query.per_page)
    return schemas.EntryPage(
        entries=[entry_view(e, current_user) for e in entries.items], meta=pagination(entries)
    )
