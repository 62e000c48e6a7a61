"""Flags: a resident points the moderators at a post; the moderators resolve every open flag on
it at once, by dismissing them or by hiding the post.

Each flag is published on the moderation stream of every area from its post's room up to the
city, so an osiedle's ambassador, the district's ambassador and the admins each follow one
stream: the area they moderate. Flags in restricted rooms are not published (the stream's
readers are not all members); the queue shows them to those who may resolve them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, distinct, false, func, or_, select, true, update
from sqlalchemy.orm import joinedload

from forum import text
from forum.accounts.models import with_grants
from forum.areas.models import Area, Room, RoomMember
from forum.discussion import services as discussion
from forum.discussion.models import Post, Thread
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db, insert_unless_taken, utcnow
from forum.flags.models import Flag
from forum.moderation import log
from forum.moderation import services as moderation
from forum.notifications.services import notify
from forum.policy import ensure, refusal
from forum.realtime import events
from forum.realtime.streams import area_stream, publish

# The reasons a resident may choose, in the order the form lists them.
REASONS = {
    "spam": _l("Spam or advertising"),
    "offensive": _l("Offensive or abusive"),
    "personal_data": _l("Someone's personal data"),
    "off_topic": _l("Off topic"),
    "other": _l("Something else"),
}
TEXT_MAX_LENGTH = 500
# Flags from this many different residents mark a post for attention in the queue.
ATTENTION_FLAGGERS = 2
QUEUE_PER_PAGE = 20  # flagged posts on a page of the queue


def _already_flagged() -> Conflict:
    return Conflict(
        _("You flagged this post already; the moderators will look at it."),
        code="already_flagged",
    )


def _clean_text(value: str | None, field: str, *, required: bool = False) -> str:
    cleaned, problem = text.clean(value, multiline=True)
    if not problem and len(cleaned) > TEXT_MAX_LENGTH:
        problem = _("Write at most %(num)d characters.", num=TEXT_MAX_LENGTH)
    if not problem and required and not cleaned:
        problem = _("Say in a few words what is wrong with the post.")
    if problem:
        raise ValidationError(_("Some fields need correcting."), {field: problem})
    return cleaned


def open_flag_of(user, post: Post) -> Flag | None:
    """The person's open flag on the post, if any."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Flag).where(
            Flag.post_id == post.id, Flag.flagger_id == user.id, Flag.resolved_at.is_(None)
        )
    )


def flaggable_post(user, post_id: int) -> Post:
    """The post, if the user may flag it (for the form as for its submission)."""
    post = discussion.access_post(user, post_id)
    ensure(user, "post.flag", post)
    return post


def flag_post(user, post_id: int, reason: str | None, words: str | None = "") -> Flag:
    """Flag a post for the moderators of its area, with a reason from REASONS."""
    post = flaggable_post(user, post_id)
    errors: dict[str, str] = {}
    if reason not in REASONS:
        errors["reason"] = _("Choose a reason from the list.")
    try:
        words = _clean_text(words, "text", required=reason == "other")
    except ValidationError as error:
        errors.update(error.fields)
    if errors:
        raise ValidationError(_("Some fields need correcting."), errors)
    if open_flag_of(user, post) is not None:  # the usual case, said plainly
        raise _already_flagged()
    flag_id = insert_unless_taken(
        Flag,
        {
            "post_id": post.id,
            "flagger_id": user.id,
            "reason": reason,
            "text": words,
            "created_at": utcnow(),
            "resolution_note": "",
        },
        ["post_id", "flagger_id"],
        Flag.resolved_at.is_(None),  # one open flag per person and post
    )
    if flag_id is None:  # a request of the same person's got there first
        raise _already_flagged()
    flag = db.session.get(Flag, flag_id)
    _publish(events.FLAG_RAISED, flag)
    return flag


def _publish(name: str, flag: Flag) -> None:
    room = flag.post.thread.room
    if not room.is_public:
        return
    for area_id in room.area.ancestor_ids:
        publish(name, area_stream(area_id), flag)


# --- the queue -----------------------------------------------------------------------------


def moderated_areas(user) -> list[Area]:
    """The areas whose streams the person follows as a moderator: the city for admins, else
    each area they are an ambassador of (not those inside another of them)."""
    if not user.is_authenticated:
        return []
    if user.is_admin:
        return list(db.session.scalars(select(Area).where(Area.parent_id.is_(None))))
    areas = [g.area for g in user.role_grants if g.role == "ambassador" and g.area is not None]
    return [
        area
        for area in areas
        if not any(other.id != area.id and area.is_within(other.id) for other in areas)
    ]


def queue_areas(user) -> list[Area]:
    """moderated_areas(), or the policy's refusal for someone who moderates nowhere."""
    if not user.is_authenticated:
        raise refusal("not_authenticated")
    areas = moderated_areas(user)
    if not areas:
        raise refusal("not_moderator")
    for area in areas:
        ensure(user, "area.moderate", area)
    return areas


def _resolvable(user, areas: list[Area]):
    """Conditions on Flag ⋈ Post ⋈ Thread ⋈ Room ⋈ Area for open flags the user may resolve."""
    within = or_(*(Area.path.like(f"%/{area.id}/%") for area in areas)) if areas else false()
    if user.is_admin:
        readable = true()
    else:
        member = select(RoomMember.id).where(
            RoomMember.room_id == Room.id, RoomMember.user_id == user.id
        )
        readable = or_(Room.is_public, member.exists())
    return and_(Flag.resolved_at.is_(None), within, readable)


def _joined(query):
    return (
        query.join(Post, Flag.post_id == Post.id)
        .join(Thread, Post.thread_id == Thread.id)
        .join(Room, Thread.room_id == Room.id)
        .join(Area, Room.area_id == Area.id)
    )


def _open_in(user, areas: list[Area]) -> int:
    return db.session.scalar(_joined(select(func.count(Flag.id))).where(_resolvable(user, areas)))


def open_count(user) -> int:
    """Open flags the person may resolve (0 for those who moderate nowhere)."""
    areas = moderated_areas(user)
    if not areas:
        return 0
    return _open_in(user, areas)


@dataclass
class FlaggedPost:
    post: Post
    flags: list[Flag]  # newest first

    @property
    def flagger_count(self) -> int:
        return len({flag.flagger_id for flag in self.flags})

    @property
    def needs_attention(self) -> bool:
        return self.flagger_count >= ATTENTION_FLAGGERS

    @property
    def latest(self):
        return self.flags[0].created_at


def queue(user, area_id: int | None = None, page: int = 1, per_page: int = QUEUE_PER_PAGE):
    """A page of the open flags the moderator may resolve (within one of their areas, if given),
    by post: posts flagged by several residents first, then by their newest flag. (A
    Flask-SQLAlchemy page of FlaggedPost, the open flags of every page)"""
    areas = queue_areas(user)
    if area_id is not None:
        area = db.session.get(Area, area_id)
        if area is None:
            raise NotFound(_("There is no such area."))
        ensure(user, "area.moderate", area)
        areas = [area]
    resolvable = _resolvable(user, areas)
    attention = case((func.count(distinct(Flag.flagger_id)) >= ATTENTION_FLAGGERS, 1), else_=0)
    posts = (
        _joined(select(Flag.post_id))
        .where(resolvable)
        .group_by(Flag.post_id)
        # A flag's id is its post's alone: the newest flag's orders posts flagged together.
        .order_by(attention.desc(), func.max(Flag.created_at).desc(), func.max(Flag.id).desc())
    )
    found = db.paginate(posts, page=page, per_page=per_page, max_per_page=100, error_out=False)
    post_ids = list(found.items)
    flags = []
    if post_ids:
        flags = db.session.scalars(
            _joined(select(Flag))
            .where(resolvable, Flag.post_id.in_(post_ids))
            .options(
                joinedload(Flag.flagger),
                joinedload(Flag.post).options(
                    joinedload(Post.author).options(with_grants()),
                    joinedload(Post.thread).joinedload(Thread.room).joinedload(Room.area),
                ),
            )
            .order_by(Flag.created_at.desc(), Flag.id.desc())
        ).all()
    by_post: dict[int, list[Flag]] = {post_id: [] for post_id in post_ids}
    for flag in flags:
        by_post[flag.post_id].append(flag)
    found.items = [FlaggedPost(post=each[0].post, flags=each) for each in by_post.values() if each]
    return found, _open_in(user, areas)


# --- resolving -----------------------------------------------------------------------------


def open_flags_for_resolving(moderator, post_id: int) -> tuple[Post, list[Flag]]:
    """The post and its open flags, each of which the moderator may resolve (for the
    confirmation page as for the action)."""
    post = discussion.access_post(moderator, post_id)
    flags = db.session.scalars(
        select(Flag)
        .where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
        .options(joinedload(Flag.flagger))
        .order_by(Flag.id)
    ).all()
    if not flags:
        # Nothing open: resolved already (by someone else, or a second click), or never flagged.
        ensure(moderator, "area.moderate", post.thread.room.area)
        raise refusal("flag_resolved")
    for flag in flags:
        ensure(moderator, "flag.resolve", flag)
    return post, list(flags)


def _resolve(moderator, post: Post, flags: list[Flag], outcome: str, note: str) -> list[Flag]:
    """Close the flags, unless another moderator closed one of them meanwhile (then a 409)."""
    now = utcnow()
    closed = db.session.execute(
        update(Flag)
        .where(Flag.id.in_([flag.id for flag in flags]), Flag.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=moderator.id, outcome=outcome, resolution_note=note)
        .execution_options(synchronize_session=False)
    ).rowcount
    if closed != len(flags):
        raise refusal("flag_resolved")
    kind = "flag_upheld" if outcome == "hidden" else "flag_dismissed"
    for flag in flags:
        db.session.refresh(flag)
        _publish(events.FLAG_RESOLVED, flag)
    for flagger_id in dict.fromkeys(flag.flagger_id for flag in flags):
        notify(
            flagger_id,
            kind,
            actor_id=moderator.id,
            thread_id=post.thread_id,
            post_id=post.id,
            message=note,
        )
    return flags


def dismiss(moderator, post_id: int, note: str | None = "") -> list[Flag]:
    """Close every open flag on the post and leave the post as it is; each flagger is told."""
    post, flags = open_flags_for_resolving(moderator, post_id)
    note = _clean_text(note, "note")
    log.record(moderator, "flag_dismissed", post=post, reason=note)
    return _resolve(moderator, post, flags, "dismissed", note)


def hide(moderator, post_id: int, reason: str | None) -> list[Flag]:
    """Hide the post with a reason and close every open flag on it; each flagger is told."""
    post, flags = open_flags_for_resolving(moderator, post_id)
    if post.is_hidden:  # hidden meanwhile by other means: the flags were right all the same
        ensure(moderator, "post.hide", post)
        reason = post.hidden_reason
    else:
        post = moderation.hide_post(moderator, post_id, reason)
    return _resolve(moderator, post, flags, "hidden", reason)
