"""Every permission rule of the forum, and why it refuses.

Views, the API and socket handlers ask one of three questions:

- ``decide(user, action, target)`` → a Decision: allowed, or denied with a reason code;
- ``can(user, action, target)`` → just the yes or no (templates and ``can_*`` flags);
- ``ensure(user, action, target)`` → nothing, or raises the domain error the reason maps to.

So a refusal is explained once, here, and never re-derived elsewhere. The user is a logged-in
User or Flask-Login's anonymous user (a guest). Rules that need to read a target first check that
the user may read it, and answer "not_found" if not: missing and forbidden look the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import format_datetime, pgettext
from flask_babel import gettext as _

from forum.accounts.models import SUSPENDED_INDEFINITELY, ExpertUnit, User
from forum.ambassadors.models import AmbassadorApplication
from forum.areas.models import Area, Room
from forum.discussion.models import Post, Thread
from forum.drafts.models import Draft, DraftAuthor
from forum.errors import Conflict, DomainError, Forbidden, NotAuthenticated, NotFound
from forum.flags.models import Flag
from forum.meetings.models import Meeting, MeetingQuestion, MeetingSignup
from forum.moderation.models import Mute  # noqa: F401  (User.mutes is mapped to it)
from forum.notifications.models import Notification
from forum.reviews.models import ProposedChange
from forum.supports.models import Support
from forum.units.models import OfficialAnswer, UnitTag
from forum.workshops.models import WorkshopItem


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""  # a key of REFUSALS when denied
    detail: object = None  # what the refusal's message needs beside the target (a mute's end)

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason: str, detail: object = None) -> Decision:
    return Decision(False, reason, detail)


def is_moderator_of(user, area: Area) -> bool:
    """Admins moderate everywhere; ambassadors in their areas and the sub-areas below."""
    if not user.is_authenticated:
        return False
    return user.is_admin or user.is_ambassador_for(area)


# --- rules: each returns ALLOW or deny(reason) ---------------------------------------------


def _read_room(user, room: Room) -> Decision:
    """Public rooms are for everyone; a restricted room only for its members and the admins."""
    if room.is_public:
        return ALLOW
    if user.is_authenticated and (user.is_admin or user.is_member_of(room)):
        return ALLOW
    return deny("not_found")


def _read_thread(user, thread: Thread) -> Decision:
    return _read_room(user, thread.room)


def _write_in(user, room: Room) -> Decision:
    """Whether a reader of the room may write in it now: logged in, not suspended, not muted
    there, and the room still open."""
    if not user.is_authenticated:
        return deny("not_authenticated")
    if user.is_suspended:
        return deny("suspended", user.suspended_until)
    if room.is_archived:
        return deny("room_archived")
    muted_until = user.muted_until(room)
    return deny("muted", muted_until) if muted_until else ALLOW


def _create_thread(user, room: Room) -> Decision:
    if not (read := _read_room(user, room)):
        return read
    return _write_in(user, room)


def _thread_accepts_posts(user, thread: Thread) -> Decision:
    if thread.is_deleted:
        return deny("thread_deleted")
    if thread.is_locked and not is_moderator_of(user, thread.room.area):
        return deny("thread_locked")
    return ALLOW


def _reply(user, thread: Thread) -> Decision:
    if not (read := _read_thread(user, thread)):
        return read
    if not (write := _write_in(user, thread.room)):
        return write
    return _thread_accepts_posts(user, thread)


def _own_live_post(user, post: Post) -> Decision:
    if not (read := _read_thread(user, post.thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if post.author_id != user.id or post.is_deleted:
        return deny("not_author")
    return ALLOW


def _edit_post(user, post: Post) -> Decision:
    if not (own := _own_live_post(user, post)):
        return own
    if not (write := _write_in(user, post.thread.room)):
        return write
    return _thread_accepts_posts(user, post.thread)


def _delete_post(user, post: Post) -> Decision:
    # Authors may take their words back even from a locked thread, or while muted.
    if not (own := _own_live_post(user, post)):
        return own
    return deny("thread_deleted") if post.thread.is_deleted else ALLOW


def _read_hidden_post(user, post: Post) -> Decision:
    """The words of a post a moderator hid: its author and the area's moderators still see them."""
    if not (read := _read_thread(user, post.thread)):
        return read
    if user.is_authenticated and post.author_id == user.id:
        return ALLOW
    return ALLOW if is_moderator_of(user, post.thread.room.area) else deny("not_moderator")


def _moderate_post(user, post: Post) -> Decision:
    if not (read := _read_thread(user, post.thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if not is_moderator_of(user, post.thread.room.area):
        return deny("not_moderator")
    return deny("post_deleted") if post.is_deleted else ALLOW


def _moderate_thread(user, thread: Thread) -> Decision:
    """Lock, unlock, pin, unpin or move a thread (the move's destination is asked separately)."""
    if not (read := _read_thread(user, thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if not is_moderator_of(user, thread.room.area):
        return deny("not_moderator")
    return deny("thread_deleted") if thread.is_deleted else ALLOW


def _moderate_room(user, room: Room) -> Decision:
    """Mute people in the room, see who is muted there, receive threads moved into it."""
    if not (read := _read_room(user, room)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if is_moderator_of(user, room.area) else deny("not_moderator")


def _moderate_area(user, area: Area) -> Decision:
    """The area's flag queue and its live stream: its moderators (and the admins) only."""
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if is_moderator_of(user, area) else deny("not_moderator")


def _flag_post(user, post: Post) -> Decision:
    if not (read := _read_thread(user, post.thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if user.is_suspended:
        return deny("suspended", user.suspended_until)
    if post.is_deleted:
        return deny("post_deleted")
    return deny("own_post") if post.author_id == user.id else ALLOW


def _resolve_flag(user, flag: Flag) -> Decision:
    if not (read := _read_thread(user, flag.post.thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if not is_moderator_of(user, flag.post.thread.room.area):
        return deny("not_moderator")
    return ALLOW if flag.is_open else deny("flag_resolved")


def _apply_as_ambassador(user, area: Area) -> Decision:
    if not user.is_authenticated:
        return deny("not_authenticated")
    if user.is_suspended:
        return deny("suspended", user.suspended_until)
    if area.kind not in ("district", "subarea") or area.is_archived:
        return deny("not_found")
    return deny("already_ambassador") if user.is_ambassador_for(area) else ALLOW


def _withdraw_application(user, application: AmbassadorApplication) -> Decision:
    """An applicant may withdraw their own application while it waits for a decision."""
    if not user.is_authenticated:
        return deny("not_authenticated")
    if application.user_id != user.id:
        return deny("not_found")
    return ALLOW if application.status == "pending" else deny("application_decided")


def _read_unit_queue(user, unit: ExpertUnit) -> Decision:
    if not user.is_authenticated:
        return deny("not_authenticated")
    if user.is_admin or user.is_expert_of(unit):
        return ALLOW
    return deny("not_unit_member")


def _read_own_stream(user, owner: User) -> Decision:
    """A person's notifications are theirs alone."""
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if user.id == owner.id else deny("not_found")


def _read_notification(user, notification: Notification) -> Decision:
    """One's notifications are one's own; anyone else's looks like a missing one."""
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if notification.user_id == user.id else deny("not_found")


# --- expert units, drafts, reviews, supports -------------------------------------------------


def _not_suspended(user) -> Decision:
    if not user.is_authenticated:
        return deny("not_authenticated")
    if user.is_suspended:
        return deny("suspended", user.suspended_until)
    return ALLOW


def _tag_thread(user, thread: Thread) -> Decision:
    """Ask expert units to look at a thread: its author, the area's moderators."""
    if not (read := _read_thread(user, thread)):
        return read
    if not (active := _not_suspended(user)):
        return active
    if thread.is_deleted:
        return deny("thread_deleted")
    if thread.author_id == user.id or is_moderator_of(user, thread.room.area):
        return ALLOW
    return deny("not_author_or_moderator")


def _claim_queue_item(user, tag: UnitTag) -> Decision:
    """Take on (or give back) an item of a unit's queue: the unit's experts."""
    if not (active := _not_suspended(user)):
        return active
    return ALLOW if user.is_expert_of(tag.unit) else deny("not_unit_member")


def _mark_official_answer(user, post: Post) -> Decision:
    """Mark a reply as a unit's official answer in a thread tagged for the unit: an expert of
    that unit, for a reply written by an expert of the same unit."""
    if not (read := _read_thread(user, post.thread)):
        return read
    if not (active := _not_suspended(user)):
        return active
    tagged = {tag.unit_id for tag in post.thread.unit_tags}
    mine = {g.unit_id for g in user.role_grants if g.role == "expert"} & tagged
    if not mine:
        return deny("not_unit_member")
    if post.is_deleted or post.is_hidden or post.is_opening:
        return deny("not_expert_answer")
    theirs = {g.unit_id for g in post.author.role_grants if g.role == "expert"}
    return ALLOW if mine & theirs else deny("not_expert_answer")


def _remove_official_answer(user, answer: OfficialAnswer) -> Decision:
    """Take back a unit's official answer in a thread: an expert of that unit."""
    if not (read := _read_thread(user, answer.post.thread)):
        return read
    if not (active := _not_suspended(user)):
        return active
    return ALLOW if user.is_expert_of(answer.unit) else deny("not_unit_member")


def _promote_thread(user, thread: Thread) -> Decision:
    if not (read := _read_thread(user, thread)):
        return read
    if not (active := _not_suspended(user)):
        return active
    if not is_moderator_of(user, thread.room.area):
        return deny("not_moderator")
    if thread.is_deleted:
        return deny("thread_deleted")
    return deny("already_promoted") if thread.draft is not None else ALLOW


def _request_promotion(user, thread: Thread) -> Decision:
    """The thread's author asks the area's ambassadors to promote it."""
    if not (read := _read_thread(user, thread)):
        return read
    if not (active := _not_suspended(user)):
        return active
    if thread.author_id != user.id:
        return deny("not_author")
    if thread.is_deleted:
        return deny("thread_deleted")
    return deny("already_promoted") if thread.draft is not None else ALLOW


def _read_draft(_user, _draft: Draft) -> Decision:
    """Drafts are worked out in the open: everyone reads them, their reviews and history."""
    return ALLOW


def _start_draft(user, _target) -> Decision:
    """Any resident may start a draft of their own (BO's individual path)."""
    return _not_suspended(user)


def _author_of_open_draft(user, draft: Draft) -> Decision:
    if not (active := _not_suspended(user)):
        return active
    if not draft.is_author(user):
        return deny("not_draft_author")
    return ALLOW if draft.is_editable else deny("draft_closed", draft.status)


def _tag_draft(user, draft: Draft) -> Decision:
    if not (active := _not_suspended(user)):
        return active
    if not (draft.is_author(user) or is_moderator_of(user, draft.area)):
        return deny("not_author_or_moderator")
    return ALLOW if draft.is_editable else deny("draft_closed", draft.status)


def _answer_invitation(user, invitation: DraftAuthor) -> Decision:
    if not (active := _not_suspended(user)):
        return active
    if invitation.user_id != user.id:
        return deny("not_found")
    return ALLOW if invitation.is_pending else deny("invitation_answered")


def _remove_coauthor(user, member: DraftAuthor) -> Decision:
    """Take a co-author off an open draft, or withdraw an invitation: the draft's first author;
    a co-author only an invitation they sent. The first author always stays."""
    if not (author := _author_of_open_draft(user, member.draft)):
        return author
    if member.role == "author":
        return deny("first_author")
    lead = any(a.user_id == user.id and a.role == "author" for a in member.draft.authors)
    if lead or (member.is_pending and member.invited_by_id == user.id):
        return ALLOW
    return deny("not_first_author")


def _leave_draft(user, member: DraftAuthor) -> Decision:
    """A co-author leaves a draft (in any status: it changes no word of it)."""
    if not (active := _not_suspended(user)):
        return active
    if member.user_id != user.id or member.is_pending:
        return deny("not_found")
    return deny("first_author") if member.role == "author" else ALLOW


@dataclass(frozen=True)
class DraftMove:
    """A draft and the status it would move to: the target of "draft.move"."""

    draft: Draft
    to: str


# Who may move a draft from one status to another: its authors (and accepted co-authors),
# the moderators of its area (ambassadors there, and the admins), or the admins alone.
DRAFT_MOVES: dict[tuple[str, str], frozenset[str]] = {
    ("draft", "in_review"): frozenset({"author", "moderator"}),
    ("in_review", "revised"): frozenset({"author", "moderator"}),
    ("revised", "in_review"): frozenset({"author", "moderator"}),
    ("revised", "ready"): frozenset({"moderator"}),
    ("ready", "revised"): frozenset({"moderator"}),
    ("draft", "withdrawn"): frozenset({"author", "admin"}),
    ("in_review", "withdrawn"): frozenset({"author", "admin"}),
    ("revised", "withdrawn"): frozenset({"author", "admin"}),
    ("ready", "withdrawn"): frozenset({"author", "admin"}),
    ("withdrawn", "draft"): frozenset({"author"}),
}


def draft_roles(user, draft: Draft) -> set[str]:
    """What the user is to the draft, in DRAFT_MOVES' words."""
    if not user.is_authenticated:
        return set()
    roles = set()
    if draft.is_author(user):
        roles.add("author")
    if is_moderator_of(user, draft.area):
        roles.add("moderator")
    if user.is_admin:
        roles.add("admin")
    return roles


def _move_draft(user, move: DraftMove) -> Decision:
    if not (active := _not_suspended(user)):
        return active
    allowed = DRAFT_MOVES.get((move.draft.status, move.to))
    if allowed is None:
        return deny("invalid_move", move)
    return ALLOW if allowed & draft_roles(user, move.draft) else deny("move_not_allowed", move)


def _review_draft(user, draft: Draft) -> Decision:
    """An expert of a unit the draft is tagged for, while the draft is in review."""
    if not (active := _not_suspended(user)):
        return active
    if not any(user.is_expert_of(tag.unit) for tag in draft.unit_tags):
        return deny("not_reviewer")
    return ALLOW if draft.status == "in_review" else deny("not_in_review")


def _decide_change(user, change: ProposedChange) -> Decision:
    """The draft's authors accept or decline a change a review proposed."""
    if not (author := _author_of_open_draft(user, change.draft)):
        return author
    return ALLOW if change.is_open else deny("change_decided")


def _support_draft(user, draft: Draft) -> Decision:
    if not (active := _not_suspended(user)):
        return active
    return deny("draft_withdrawn") if draft.status == "withdrawn" else ALLOW


def _withdraw_support(user, support: Support) -> Decision:
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if support.user_id == user.id else deny("not_found")


def _export_drafts(user, _target) -> Decision:
    """The city team: coordinators and the units' experts."""
    if not user.is_authenticated:
        return deny("not_authenticated")
    if user.is_admin or any(g.role == "expert" for g in user.role_grants):
        return ALLOW
    return deny("not_city_team")


# --- meetings and the workshop series -------------------------------------------------------


def _schedule_meeting(user, room: Room) -> Decision:
    """Hold a meeting in a room: the area's ambassadors (in their areas) and the admins."""
    if not (read := _read_room(user, room)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if not is_moderator_of(user, room.area):
        return deny("not_moderator")
    if not (active := _not_suspended(user)):
        return active
    return deny("room_archived") if room.is_archived else ALLOW


def _read_meeting(user, meeting: Meeting) -> Decision:
    return _read_room(user, meeting.room)


def _host(user, meeting: Meeting) -> Decision:
    """The meeting's host (or an admin, standing in), on a meeting that was not cancelled."""
    if not (read := _read_meeting(user, meeting)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if meeting.host_id != user.id and not user.is_admin:
        return deny("not_host")
    if not (active := _not_suspended(user)):
        return active
    return deny("meeting_cancelled") if meeting.cancelled_at is not None else ALLOW


def _edit_meeting(user, meeting: Meeting) -> Decision:
    """Change or cancel a meeting before it ends."""
    if not (host := _host(user, meeting)):
        return host
    return deny("meeting_ended") if meeting.status() == "ended" else ALLOW


def _run_meeting(user, meeting: Meeting) -> Decision:
    """Move through the agenda: the host, while the meeting runs."""
    if not (host := _host(user, meeting)):
        return host
    status = meeting.status()
    return ALLOW if status == "live" else deny("meeting_not_live", status)


def _write_minutes(user, meeting: Meeting) -> Decision:
    """Write and publish the minutes, link what came of it: the host, once it ended."""
    if not (host := _host(user, meeting)):
        return host
    return ALLOW if meeting.status() == "ended" else deny("meeting_not_ended")


def _read_attendance(user, meeting: Meeting) -> Decision:
    """Who signed up and who was present, by name: the host and the area's moderators."""
    if not (read := _read_meeting(user, meeting)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if meeting.host_id == user.id or is_moderator_of(user, meeting.room.area):
        return ALLOW
    return deny("not_host")


def _take_part(user, meeting: Meeting) -> Decision:
    """Sign up, or ask the experts a question: a reader, logged in and not suspended, before
    the meeting ends."""
    if not (read := _read_meeting(user, meeting)):
        return read
    if not (active := _not_suspended(user)):
        return active
    if meeting.cancelled_at is not None:
        return deny("meeting_cancelled")
    return deny("meeting_ended") if meeting.status() == "ended" else ALLOW


def _withdraw_signup(user, signup: MeetingSignup) -> Decision:
    if not user.is_authenticated:
        return deny("not_authenticated")
    if signup.user_id != user.id:
        return deny("not_found")
    return deny("meeting_ended") if signup.meeting.status() == "ended" else ALLOW


def _answer_question(user, question: MeetingQuestion) -> Decision:
    """Mark a question answered (or not yet): the host."""
    return _host(user, question.meeting)


def _mark_workshop_item(user, thread: Thread) -> Decision:
    """Mark a thread of a workshop's room as a need or an idea of the series: its moderators."""
    if not (read := _read_thread(user, thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if is_moderator_of(user, thread.room.area) else deny("not_moderator")


def _link_needs(user, idea: WorkshopItem) -> Decision:
    """Say which needs an idea answers: the idea's author and the moderators."""
    if not (read := _read_thread(user, idea.thread)):
        return read
    if not user.is_authenticated:
        return deny("not_authenticated")
    if idea.thread.author_id != user.id and not is_moderator_of(user, idea.thread.room.area):
        return deny("not_author_or_moderator")
    return _not_suspended(user)


def _administer(user, _target) -> Decision:
    if not user.is_authenticated:
        return deny("not_authenticated")
    return ALLOW if user.is_admin else deny("not_admin")


RULES: dict[str, Callable[[User, object], Decision]] = {
    "room.read": _read_room,
    "thread.read": _read_thread,
    "thread.create": _create_thread,
    "post.reply": _reply,
    "post.edit": _edit_post,
    "post.delete": _delete_post,
    "thread.moderate": _moderate_thread,
    "room.moderate": _moderate_room,
    "area.moderate": _moderate_area,
    "post.read_hidden": _read_hidden_post,
    "post.hide": _moderate_post,
    "post.restore": _moderate_post,
    "post.flag": _flag_post,
    "flag.resolve": _resolve_flag,
    "ambassador.apply": _apply_as_ambassador,
    "application.withdraw": _withdraw_application,
    "unit.read_queue": _read_unit_queue,
    "user.read_stream": _read_own_stream,
    "notification.read": _read_notification,
    "thread.tag_units": _tag_thread,
    "queue_item.claim": _claim_queue_item,
    "post.mark_official": _mark_official_answer,
    "official_answer.remove": _remove_official_answer,
    "thread.promote": _promote_thread,
    "thread.request_promotion": _request_promotion,
    "draft.read": _read_draft,
    "draft.create": _start_draft,
    "draft.edit": _author_of_open_draft,
    "draft.invite": _author_of_open_draft,
    "draft.tag_units": _tag_draft,
    "draft.move": _move_draft,
    "draft.review": _review_draft,
    "draft.support": _support_draft,
    "invitation.answer": _answer_invitation,
    "coauthor.remove": _remove_coauthor,
    "coauthor.leave": _leave_draft,
    "change.decide": _decide_change,
    "support.withdraw": _withdraw_support,
    "drafts.export": _export_drafts,
    "meeting.schedule": _schedule_meeting,
    "meeting.read": _read_meeting,
    "meeting.edit": _edit_meeting,
    "meeting.run": _run_meeting,
    "meeting.write_minutes": _write_minutes,
    "meeting.read_attendance": _read_attendance,
    "meeting.signup": _take_part,
    "meeting.ask": _take_part,
    "signup.withdraw": _withdraw_signup,
    "question.answer": _answer_question,
    "workshop_item.mark": _mark_workshop_item,
    "idea.link_needs": _link_needs,
    "series.manage": _administer,
    # The admin area: everything in it is for the admins alone.
    "admin.read": _administer,
    "applications.review": _administer,
    "areas.manage": _administer,
    "units.manage": _administer,
    "budget.manage": _administer,
    "roles.manage": _administer,
    "rooms.manage": _administer,
    "users.suspend": _administer,
}


def decide(user, action: str, target) -> Decision:
    """Whether the user (or guest) may perform the action on the target, and if not, why."""
    try:
        rule = RULES[action]
    except KeyError:
        raise ValueError(f"unknown policy action: {action}") from None
    return rule(user, target)


def can(user, action: str, target) -> bool:
    return decide(user, action, target).allowed


def ensure(user, action: str, target) -> None:
    """Raise the domain error that explains a refusal; return quietly if allowed."""
    decision = decide(user, action, target)
    if not decision:
        raise refusal(decision.reason, target, decision.detail)


def _not_found(target, _detail) -> DomainError:
    messages = {
        Area: _("There is no such area."),
        Room: _("There is no such room."),
        Thread: _("There is no such thread."),
        Post: _("There is no such post."),
        User: _("There is no such user."),
        Notification: _("There is no such notification."),
        Flag: _("There is no such flag."),
        AmbassadorApplication: _("There is no such application."),
        Draft: _("There is no such draft."),
        DraftAuthor: _("There is no such invitation."),
        ProposedChange: _("There is no such proposed change."),
        Support: _("There is no such support."),
        UnitTag: _("There is no such queue item."),
        OfficialAnswer: _("There is no such official answer."),
        Meeting: _("There is no such meeting."),
        MeetingSignup: _("You are not signed up for this meeting."),
        MeetingQuestion: _("There is no such question."),
        WorkshopItem: _("There is no such need or idea."),
    }
    return NotFound(messages.get(type(target), _("There is nothing here.")))


REFUSALS: dict[str, Callable[[object], DomainError]] = {
    "not_found": _not_found,
    "not_authenticated": lambda _t, _d: NotAuthenticated(
        _("Log in to take part in the discussion.")
    ),
    "not_author": lambda _t, _d: Forbidden(_("You may change only your own posts.")),
    "thread_deleted": lambda _t, _d: Conflict(_("This thread was deleted."), code="thread_deleted"),
    "thread_locked": lambda _t, _d: Conflict(
        _("This thread is locked: no new posts or edits."), code="thread_locked"
    ),
    "post_deleted": lambda _t, _d: Conflict(_("This post was deleted."), code="post_deleted"),
    "not_moderator": lambda _t, _d: Forbidden(
        _("Only the area's ambassadors and the city's coordinators may do this.")
    ),
    "not_unit_member": lambda _t, _d: Forbidden(_("Only the unit's experts may do this.")),
    "not_admin": lambda _t, _d: Forbidden(_("Only the city's coordinators may do this.")),
    "suspended": lambda _t, until: Forbidden(
        _("Your account is suspended until the city's coordinators lift it.")
        if until == SUSPENDED_INDEFINITELY
        else _("Your account is suspended until %(until)s.", until=format_datetime(until, "short")),
        code="suspended",
    ),
    "muted": lambda _t, until: Forbidden(
        _(
            "A moderator muted you in this room until %(until)s: you may read, but not write.",
            until=format_datetime(until, "short"),
        ),
        code="muted",
    ),
    "room_archived": lambda _t, _d: Conflict(
        _("This room is archived: it takes no new threads or posts."), code="room_archived"
    ),
    "own_post": lambda _t, _d: Conflict(_("You cannot flag your own post."), code="own_post"),
    "flag_resolved": lambda _t, _d: Conflict(
        _("This flag was resolved already."), code="flag_resolved"
    ),
    "already_ambassador": lambda _t, _d: Conflict(
        _("You are an ambassador of this area already."), code="already_ambassador"
    ),
    "application_decided": lambda _t, _d: Conflict(
        _("This application was decided or withdrawn already."), code="application_decided"
    ),
    "not_author_or_moderator": lambda _t, _d: Forbidden(
        _("Only its authors, the area's ambassadors and the city's coordinators may do this.")
    ),
    "not_expert_answer": lambda _t, _d: Conflict(
        _("Only a reply by an expert of your unit can be its official answer."),
        code="not_expert_answer",
    ),
    "already_promoted": lambda _t, _d: Conflict(
        _("This thread is a proposal draft already."), code="already_promoted"
    ),
    "not_draft_author": lambda _t, _d: Forbidden(
        _("Only the draft's authors and co-authors may do this."), code="not_draft_author"
    ),
    "draft_closed": lambda _t, status: Conflict(
        _("The draft is %(status)s: it can no longer be changed.", status=status_label(status)),
        code="draft_closed",
    ),
    "invitation_answered": lambda _t, _d: Conflict(
        _("This invitation was answered already."), code="invitation_answered"
    ),
    "first_author": lambda _t, _d: Conflict(
        _("The draft's first author stays its author: they cannot leave or be removed."),
        code="first_author",
    ),
    "not_first_author": lambda _t, _d: Forbidden(
        _("Only the draft's first author may remove co-authors."), code="not_first_author"
    ),
    "invalid_move": lambda _t, move: Conflict(
        _(
            "A draft that is %(status)s cannot become %(to)s.",
            status=status_label(move.draft.status if isinstance(move, DraftMove) else ""),
            to=status_label(move.to if isinstance(move, DraftMove) else ""),
        ),
        code="invalid_move",
    ),
    "move_not_allowed": lambda _t, move: Forbidden(
        _(
            "You may not make this draft %(to)s: %(who)s may.",
            to=status_label(move.to if isinstance(move, DraftMove) else ""),
            who=movers_label(move),
        ),
        code="move_not_allowed",
    ),
    "not_reviewer": lambda _t, _d: Forbidden(
        _("Only an expert of a unit the draft is tagged for may review it, for that unit."),
        code="not_reviewer",
    ),
    "not_in_review": lambda _t, _d: Conflict(
        _("Reviews are written while the draft is in review."), code="not_in_review"
    ),
    "change_decided": lambda _t, _d: Conflict(
        _("This proposed change was accepted or declined already."), code="change_decided"
    ),
    "draft_withdrawn": lambda _t, _d: Conflict(
        _("This draft was withdrawn by its authors."), code="draft_withdrawn"
    ),
    "not_city_team": lambda _t, _d: Forbidden(
        _("Only the city's coordinators and the units' experts may do this.")
    ),
    "not_host": lambda _t, _d: Forbidden(
        _("Only the meeting's host may do this."), code="not_host"
    ),
    "meeting_cancelled": lambda _t, _d: Conflict(
        _("This meeting was cancelled."), code="meeting_cancelled"
    ),
    "meeting_ended": lambda _t, _d: Conflict(_("This meeting has ended."), code="meeting_ended"),
    "meeting_not_live": lambda _t, status: Conflict(
        _("The meeting has not started yet.")
        if status == "upcoming"
        else _("The meeting is not running now."),
        code="meeting_not_live",
    ),
    "meeting_not_ended": lambda _t, _d: Conflict(
        _("Minutes are written once the meeting has ended."), code="meeting_not_ended"
    ),
}


def status_label(status) -> str:
    """A draft's status in words."""
    return {
        "draft": _("a draft"),
        "in_review": _("in review"),
        "revised": _("revised"),
        "ready": _("ready to file"),
        "withdrawn": pgettext("a draft's status", "withdrawn"),
    }.get(status, str(status or ""))


def movers_label(move) -> str:
    """Who may make a move, in words."""
    if not isinstance(move, DraftMove):
        return ""
    allowed = DRAFT_MOVES.get((move.draft.status, move.to), frozenset())
    words = {
        "author": _("its authors"),
        "moderator": _("the area's ambassadors and the city's coordinators"),
        "admin": _("the city's coordinators"),
    }
    roles = [role for role in ("author", "moderator", "admin") if role in allowed]
    return _(" or ").join(words[role] for role in roles)


def refusal(reason: str, target=None, detail=None) -> DomainError:
    """The domain error for a denial's reason."""
    return REFUSALS[reason](target, detail)
