"""The permission matrix: role × action × own/other area, and the reason of every refusal."""

from datetime import timedelta

import pytest

from forum.accounts.models import ExpertUnit, User
from forum.ambassadors.models import AmbassadorApplication
from forum.areas.models import Area, Room, RoomMember
from forum.budget.services import current_edition
from forum.discussion.models import Post, Thread
from forum.drafts.models import STATUSES, Draft, DraftAuthor
from forum.errors import Conflict, Forbidden, NotAuthenticated, NotFound
from forum.extensions import db, utcnow
from forum.flags.models import Flag
from forum.meetings.models import Meeting, MeetingQuestion, MeetingSignup
from forum.moderation.models import Mute
from forum.notifications.models import Notification
from forum.policy import REFUSALS, RULES, DraftMove, can, decide, ensure, refusal
from forum.reviews.models import ProposedChange, Review
from forum.supports.models import Support
from forum.units.models import OfficialAnswer, UnitTag
from forum.workshops.models import WorkshopItem
from tests.conftest import GUEST, app_context, forum_app, make_user, room_of, use_app

ROLES = ["guest", "resident", "ambassador_here", "ambassador_elsewhere", "expert", "admin"]


@pytest.fixture(scope="module")
def world():
    """The app and everyone who may ask, made once for the module: a case only adds and
    flushes, and the end of its app context rolls that back, so each starts from the same data."""
    with forum_app() as app:
        yield (
            app,
            {
                "guest": GUEST,
                "resident": make_user("Resident", home="XIII"),
                "ambassador_here": make_user("Amb XIII", role="ambassador", scope="XIII"),
                "ambassador_elsewhere": make_user("Amb I", role="ambassador", scope="I", home="I"),
                "expert": make_user("Expert", role="expert", scope="ZZM"),
                "admin": make_user("Admin", role="admin"),
            },
        )


@pytest.fixture
def people(world):
    """Everyone who may ask, keyed by role; "here" is XIII Podgórze, where the content is."""
    app, people = world
    use_app(app)  # a test between the cases may have set up an app of its own
    return people


def _room(case: str, asker=GUEST) -> Room:
    room = db.session.get(Room, room_of("XIII").id)
    if "subarea" in case:
        room = db.session.scalars(db.select(Room).where(Room.slug == "zablocie")).one()
    if "private" in case:
        room.is_public = False
    if "archived" in case:
        room.archived_at = utcnow()
    if asker.is_authenticated:
        if "member" in case:
            db.session.add(RoomMember(room_id=room.id, user_id=asker.id))
        if "muted" in case:
            db.session.add(
                Mute(
                    user_id=asker.id,
                    room_id=room.id,
                    muted_by_id=asker.id,
                    reason="Spokojnie",
                    until=utcnow() + timedelta(hours=1),
                )
            )
        if "suspended" in case:
            asker.suspended_until = utcnow() + timedelta(days=1)
        db.session.flush()
        if asker in db.session:
            db.session.expire(asker)
    return room


def _area(case: str, asker) -> Area:
    if "city" in case:
        area = db.session.scalars(db.select(Area).where(Area.kind == "city")).one()
    elif "subarea" in case:
        area = db.session.scalars(db.select(Room).where(Room.slug == "zablocie")).one().area
    else:
        number = "I" if "elsewhere" in case else "XIII"
        area = db.session.scalars(db.select(Area).where(Area.number == number)).one()
    if "suspended" in case and asker.is_authenticated:
        asker.suspended_until = utcnow() + timedelta(days=1)
    return area


def _thread(case: str, author, asker=GUEST) -> Thread:
    thread = Thread(room=_room(case, asker), author_id=author.id, title="Wątek")
    if "locked" in case:
        thread.status = "locked"
    if "deleted-thread" in case or case.startswith("thread deleted"):
        thread.deleted_at = utcnow()
    db.session.add(thread)
    return thread


def _zzm() -> ExpertUnit:
    return db.session.scalars(db.select(ExpertUnit).where(ExpertUnit.code == "ZZM")).one()


def _draft(case: str, asker, someone, status: str | None = None) -> Draft:
    """A draft of XIII Podgórze (or the city) by someone; "own": the asker co-authors it,
    "invited": the asker is invited to; a status word sets its status; "tagged": for ZZM."""
    words = case.split()
    city = "city" in words
    area = _area("city" if city else "here", asker)
    if status is None:
        status = next((word for word in words[1:] if word in STATUSES), "draft")
    draft = Draft(
        edition_id=current_edition().id,
        area=area,
        kind="city" if city else "district",
        status=status,
        created_by_id=someone.id,
        title="Projekt",
    )
    draft.authors.append(DraftAuthor(user_id=someone.id, role="author", accepted_at=utcnow()))
    if asker.is_authenticated and ("own" in words or "invited" in words):
        accepted = utcnow() if "own" in words else None
        draft.authors.append(DraftAuthor(user_id=asker.id, accepted_at=accepted))
    db.session.add(draft)
    db.session.flush()
    if "tagged" in words:
        db.session.add(UnitTag(unit=_zzm(), draft_id=draft.id, tagged_by_id=someone.id))
        db.session.flush()
        db.session.expire(draft, ["unit_tags"])
    if "suspended" in words and asker.is_authenticated:
        asker.suspended_until = utcnow() + timedelta(days=1)
    return draft


def _meeting(case: str, asker, people) -> Meeting:
    """A meeting in XIII Podgórze's room hosted by its ambassador ("own": by the asker);
    "live", "ended", "cancelled" set its time; "private", "archived", "suspended" as for rooms."""
    words = case.split()
    host = asker if "own" in words and asker.is_authenticated else people["ambassador_here"]
    room = _room(case, asker)
    now = utcnow()
    starts = {"live": now - timedelta(minutes=30), "ended": now - timedelta(hours=3)}
    starts_at = next((starts[w] for w in words if w in starts), now + timedelta(days=2))
    thread = Thread(room=room, author_id=host.id, title="Spotkanie")
    meeting = Meeting(
        room=room,
        host_id=host.id,
        title="Spotkanie",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        thread=thread,
    )
    if "cancelled" in words:
        meeting.cancelled_at = now
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _member(case: str, asker, people) -> DraftAuthor:
    """Someone's place among a draft's authors, the target of removing and leaving. "led": the
    asker is the draft's first author, "co": its co-author; "first": the place is the first
    author's; "own": the asker's; "pending": an invitation, "mine": sent by the asker."""
    words = case.split()
    signed_in = asker.is_authenticated
    others = [p for p in people.values() if p.is_authenticated and p.id != getattr(asker, "id", 0)]
    lead = asker if "led" in words and signed_in else others[0]
    draft = _draft("draft " + " ".join(w for w in words if w in STATUSES), asker, lead)
    if "co" in words and signed_in:
        draft.authors.append(DraftAuthor(user_id=asker.id, accepted_at=utcnow()))
    if "first" in words:
        member = draft.authors[0]
    else:
        owner = asker if "own" in words and signed_in else others[1]
        member = DraftAuthor(
            user_id=owner.id,
            accepted_at=None if "pending" in words else utcnow(),
            invited_by_id=asker.id if "mine" in words and signed_in else lead.id,
        )
        draft.authors.append(member)
    db.session.flush()
    if "suspended" in words and signed_in:
        asker.suspended_until = utcnow() + timedelta(days=1)
    return member


def _target(case: str, asker, people):
    """The object the action is about; "own" things belong to the asker (a guest has none)."""
    resident = people["resident"]
    someone = resident if getattr(asker, "id", None) != resident.id else people["expert"]
    owner = asker if "own" in case.split() and asker.is_authenticated else someone
    if case.startswith("room"):
        return _room(case, asker)
    if case.startswith("thread"):
        thread = _thread(case, owner, asker)
        if "promoted" in case:
            db.session.flush()
            _draft("draft", asker, someone).source_thread = thread
            db.session.flush()
            db.session.expire(thread, ["draft"])
        return thread
    if case.startswith("draft"):
        return _draft(case, asker, someone)
    if case.startswith("move"):
        moving, _arrow, to = case.split()[1].partition(">")
        return DraftMove(_draft(case, asker, someone, status=moving), to)
    if case.startswith("invitation"):
        author = people["admin"] if asker is not people["admin"] else people["expert"]
        author = author if author.id != getattr(asker, "id", None) else people["expert"]
        draft = _draft("draft", asker, author)
        invitation = DraftAuthor(draft=draft, user_id=owner.id)
        if "answered" in case:
            invitation.accepted_at = utcnow()
        db.session.add(invitation)
        db.session.flush()
        return invitation
    if case.startswith("member"):
        return _member(case, asker, people)
    if case.startswith("change"):
        draft = _draft(case.replace("change", "draft"), asker, someone)
        review = Review(draft=draft, unit=_zzm(), revision_number=1, author_id=people["expert"].id)
        review.opinion = "needs_changes"
        change = ProposedChange(review=review, draft=draft, field="title", value="Nowy")
        if "decided" in case:
            change.status = "declined"
        db.session.add(change)
        db.session.flush()
        return change
    if case.startswith("support"):
        support = Support(draft=_draft("draft", asker, someone), user_id=owner.id, counts=True)
        db.session.add(support)
        db.session.flush()
        return support
    if case.startswith("tag"):
        thread = _thread("thread", someone, asker)
        db.session.flush()
        tag = UnitTag(unit=_zzm(), thread_id=thread.id, tagged_by_id=someone.id)
        db.session.add(tag)
        db.session.flush()
        return tag
    if case.startswith("official"):
        thread = _thread(case.replace("official", "thread"), someone, asker)
        post = Post(thread=thread, author_id=people["expert"].id, body_source="x", body_html="x")
        db.session.add(post)
        db.session.flush()
        answer = OfficialAnswer(
            thread_id=thread.id, unit=_zzm(), post_id=post.id, marked_by_id=people["expert"].id
        )
        db.session.add(answer)
        db.session.flush()
        return answer
    if case.startswith("meeting"):
        return _meeting(case, asker, people)
    if case.startswith("signup"):
        signup = MeetingSignup(meeting=_meeting(case, asker, people), user_id=owner.id)
        db.session.add(signup)
        db.session.flush()
        return signup
    if case.startswith("question"):
        question = MeetingQuestion(
            meeting=_meeting(case, asker, people), author_id=someone.id, body="Kiedy?"
        )
        db.session.add(question)
        db.session.flush()
        return question
    if case.startswith("idea"):
        series_thread = _thread(case.replace("idea", "thread"), owner, asker)
        db.session.flush()
        # The rules read only the idea's thread: a stage is not needed to ask them.
        return WorkshopItem(thread=series_thread, kind="idea", marked_by_id=someone.id)
    if case.startswith("area"):
        return _area(case, asker)
    if case.startswith("flag"):
        post = Post(thread=_thread(case, someone), author_id=someone.id, body_source="x")
        post.body_html = "x"
        flag = Flag(post=post, flagger_id=someone.id, reason="spam")
        if "resolved" in case:
            flag.resolved_at, flag.outcome = utcnow(), "dismissed"
        db.session.add(flag)
        db.session.flush()
        return flag
    if case.startswith("application"):
        owner = asker if "own" in case and asker.is_authenticated else someone
        area = db.session.scalars(db.select(Area).where(Area.number == "XIII")).one()
        status = "approved" if "decided" in case else "pending"
        application = AmbassadorApplication(
            user_id=owner.id, area=area, motivation="m", contact="c", status=status
        )
        db.session.add(application)
        db.session.flush()
        return application
    if case.startswith("unit"):
        return db.session.scalars(db.select(ExpertUnit).where(ExpertUnit.code == "ZZM")).one()
    if case.startswith("notification"):
        owner = asker if "own" in case and asker.is_authenticated else someone
        notification = Notification(user_id=owner.id, kind="thread_reply")
        db.session.add(notification)
        db.session.flush()
        return notification
    if case.startswith("person"):
        owner = asker if "own" in case and asker.is_authenticated else someone
        return db.session.get(User, owner.id)
    if case == "nothing":
        return None
    if "expert-answer" in case:
        owner = people["expert"]
    post = Post(
        thread=_thread(case, someone, asker), author_id=owner.id, body_source="x", body_html="x"
    )
    if "hidden" in case:
        post.hidden_at, post.hidden_reason = utcnow(), "Powód"
    if "deleted-post" in case:
        post.deleted_at = utcnow()
    db.session.add(post)
    db.session.flush()
    post.parent_id = post.id  # a reply (under itself will do: the rules only ask "opening?")
    if ("tagged" in case or "expert-answer" in case) and "untagged" not in case:
        db.session.add(UnitTag(unit=_zzm(), thread_id=post.thread_id, tagged_by_id=someone.id))
        db.session.flush()
        db.session.expire(post.thread, ["unit_tags"])
    return post


# action, target case, then each role's answer in ROLES' order: 1 = allowed, else the reason.
NF, NA, NAUTH, NMOD = "not_found", "not_author", "not_authenticated", "not_moderator"
LOCKED, NUNIT, NADMIN = "thread_locked", "not_unit_member", "not_admin"
MUTED, SUSP, ARCH, OWN = "muted", "suspended", "room_archived", "own_post"
NAOM, NEXP, PROMOTED = "not_author_or_moderator", "not_expert_answer", "already_promoted"
NDA, CLOSED, NREV, NTEAM = "not_draft_author", "draft_closed", "not_in_review", "not_city_team"
NMOVE, INVALID, NREVR = "move_not_allowed", "invalid_move", "not_reviewer"
FIRST, NFA = "first_author", "not_first_author"
NHOST, ENDED, CANC = "not_host", "meeting_ended", "meeting_cancelled"
NLIVE, NENDED = "meeting_not_live", "meeting_not_ended"
MATRIX = [
    ("room.read", "room", [1, 1, 1, 1, 1, 1]),
    ("room.read", "room private", [NF, NF, NF, NF, NF, 1]),
    ("room.read", "room private subarea", [NF, NF, NF, NF, NF, 1]),
    ("room.read", "room private member", [NF, 1, 1, 1, 1, 1]),
    ("room.read", "room muted", [1, 1, 1, 1, 1, 1]),
    ("thread.read", "thread", [1, 1, 1, 1, 1, 1]),
    ("thread.read", "thread private", [NF, NF, NF, NF, NF, 1]),
    ("thread.create", "room", [NAUTH, 1, 1, 1, 1, 1]),
    ("thread.create", "room private", [NF, NF, NF, NF, NF, 1]),
    ("thread.create", "room private member", [NF, 1, 1, 1, 1, 1]),
    ("thread.create", "room muted", [NAUTH] + [MUTED] * 5),
    ("thread.create", "room suspended", [NAUTH] + [SUSP] * 5),
    ("thread.create", "room archived", [NAUTH] + [ARCH] * 5),
    ("thread.moderate", "thread", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("thread.moderate", "thread subarea", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("thread.moderate", "thread private", [NF, NF, NF, NF, NF, 1]),
    (
        "thread.moderate",
        "thread deleted",
        [NAUTH, NMOD, "thread_deleted", NMOD, NMOD, "thread_deleted"],
    ),
    ("room.moderate", "room", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("room.moderate", "room subarea", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("room.moderate", "room private", [NF, NF, NF, NF, NF, 1]),
    ("area.moderate", "area here", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("area.moderate", "area subarea", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("area.moderate", "area elsewhere", [NAUTH, NMOD, NMOD, 1, NMOD, 1]),
    ("area.moderate", "area city", [NAUTH, NMOD, NMOD, NMOD, NMOD, 1]),
    ("post.reply", "thread", [NAUTH, 1, 1, 1, 1, 1]),
    ("post.reply", "thread locked", [NAUTH, LOCKED, 1, LOCKED, LOCKED, 1]),
    ("post.reply", "thread locked subarea", [NAUTH, LOCKED, 1, LOCKED, LOCKED, 1]),
    ("post.reply", "thread deleted", [NAUTH] + ["thread_deleted"] * 5),
    ("post.reply", "thread private", [NF, NF, NF, NF, NF, 1]),
    ("post.reply", "thread private member", [NF, 1, 1, 1, 1, 1]),
    ("post.reply", "thread muted", [NAUTH] + [MUTED] * 5),
    ("post.reply", "thread suspended", [NAUTH] + [SUSP] * 5),
    ("post.reply", "thread archived", [NAUTH] + [ARCH] * 5),
    ("post.edit", "post own", [NAUTH, 1, 1, 1, 1, 1]),
    ("post.edit", "post own locked", [NAUTH, LOCKED, 1, LOCKED, LOCKED, 1]),
    ("post.edit", "post own deleted-thread", [NAUTH] + ["thread_deleted"] * 5),
    ("post.edit", "post own deleted-post", [NAUTH] + [NA] * 5),
    ("post.edit", "post other", [NAUTH] + [NA] * 5),
    ("post.edit", "post own private", [NF, NF, NF, NF, NF, 1]),
    ("post.edit", "post own muted", [NAUTH] + [MUTED] * 5),
    ("post.delete", "post own muted", [NAUTH, 1, 1, 1, 1, 1]),
    ("post.delete", "post own", [NAUTH, 1, 1, 1, 1, 1]),
    ("post.delete", "post own locked", [NAUTH, 1, 1, 1, 1, 1]),
    ("post.delete", "post own deleted-thread", [NAUTH] + ["thread_deleted"] * 5),
    ("post.delete", "post other", [NAUTH] + [NA] * 5),
    ("post.read_hidden", "post other hidden", [NMOD, NMOD, 1, NMOD, NMOD, 1]),
    ("post.read_hidden", "post own hidden", [NMOD, 1, 1, 1, 1, 1]),
    ("post.read_hidden", "post other hidden private", [NF, NF, NF, NF, NF, 1]),
    ("post.hide", "post other", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("post.hide", "post other subarea", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    (
        "post.hide",
        "post other deleted-post",
        [NAUTH, NMOD, "post_deleted", NMOD, NMOD, "post_deleted"],
    ),
    ("post.restore", "post other hidden", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("post.flag", "post other", [NAUTH, 1, 1, 1, 1, 1]),
    ("post.flag", "post own", [NAUTH] + [OWN] * 5),
    ("post.flag", "post other deleted-post", [NAUTH] + ["post_deleted"] * 5),
    ("post.flag", "post other private", [NF, NF, NF, NF, NF, 1]),
    ("post.flag", "post other suspended", [NAUTH] + [SUSP] * 5),
    ("flag.resolve", "flag", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("flag.resolve", "flag subarea", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("flag.resolve", "flag resolved", [NAUTH, NMOD, "flag_resolved", NMOD, NMOD, "flag_resolved"]),
    ("flag.resolve", "flag private", [NF, NF, NF, NF, NF, 1]),
    ("ambassador.apply", "area here", [NAUTH, 1, "already_ambassador", 1, 1, 1]),
    ("ambassador.apply", "area subarea", [NAUTH, 1, "already_ambassador", 1, 1, 1]),
    ("ambassador.apply", "area elsewhere", [NAUTH, 1, 1, "already_ambassador", 1, 1]),
    ("ambassador.apply", "area city", [NAUTH] + [NF] * 5),
    ("ambassador.apply", "area here suspended", [NAUTH] + [SUSP] * 5),
    ("application.withdraw", "application own", [NAUTH, 1, 1, 1, 1, 1]),
    ("application.withdraw", "application own decided", [NAUTH] + ["application_decided"] * 5),
    ("application.withdraw", "application other", [NAUTH, NF, NF, NF, NF, NF]),
    ("unit.read_queue", "unit", [NAUTH, NUNIT, NUNIT, NUNIT, 1, 1]),
    ("user.read_stream", "person own", [NAUTH, 1, 1, 1, 1, 1]),
    ("user.read_stream", "person other", [NAUTH, NF, NF, NF, NF, NF]),
    ("notification.read", "notification own", [NAUTH, 1, 1, 1, 1, 1]),
    ("notification.read", "notification other", [NAUTH, NF, NF, NF, NF, NF]),
    ("admin.read", "nothing", [NAUTH, NADMIN, NADMIN, NADMIN, NADMIN, 1]),
    ("applications.review", "nothing", [NAUTH, NADMIN, NADMIN, NADMIN, NADMIN, 1]),
    ("areas.manage", "nothing", [NAUTH, NADMIN, NADMIN, NADMIN, NADMIN, 1]),
    ("units.manage", "nothing", [NAUTH, NADMIN, NADMIN, NADMIN, NADMIN, 1]),
    ("users.suspend", "nothing", [NAUTH, NADMIN, NADMIN, NADMIN, NADMIN, 1]),
    ("roles.manage", "nothing", [NAUTH, NADMIN, NADMIN, NADMIN, NADMIN, 1]),
    ("rooms.manage", "room", [NAUTH, NADMIN, NADMIN, NADMIN, NADMIN, 1]),
    ("budget.manage", "nothing", [NAUTH, NADMIN, NADMIN, NADMIN, NADMIN, 1]),
    # Expert units: tagging, their queues, official answers.
    ("thread.tag_units", "thread", [NAUTH, NAOM, 1, NAOM, NAOM, 1]),
    ("thread.tag_units", "thread own", [NAUTH, 1, 1, 1, 1, 1]),
    ("thread.tag_units", "thread own suspended", [NAUTH] + [SUSP] * 5),
    ("thread.tag_units", "thread private", [NF, NF, NF, NF, NF, 1]),
    ("thread.tag_units", "thread deleted", [NAUTH] + ["thread_deleted"] * 5),
    ("queue_item.claim", "tag", [NAUTH, NUNIT, NUNIT, NUNIT, 1, NUNIT]),
    ("post.mark_official", "post expert-answer", [NAUTH, NUNIT, NUNIT, NUNIT, 1, NUNIT]),
    ("post.mark_official", "post other tagged", [NAUTH, NUNIT, NUNIT, NUNIT, NEXP, NUNIT]),
    ("post.mark_official", "post expert-answer untagged", [NAUTH] + [NUNIT] * 5),
    ("post.mark_official", "post expert-answer private", [NF, NF, NF, NF, NF, NUNIT]),
    ("official_answer.remove", "official", [NAUTH, NUNIT, NUNIT, NUNIT, 1, NUNIT]),
    ("official_answer.remove", "official suspended", [NAUTH] + [SUSP] * 5),
    ("official_answer.remove", "official private", [NF, NF, NF, NF, NF, NUNIT]),
    # Promotion and drafts.
    ("thread.promote", "thread", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("thread.promote", "thread subarea", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("thread.promote", "thread promoted", [NAUTH, NMOD, PROMOTED, NMOD, NMOD, PROMOTED]),
    ("thread.promote", "thread private", [NF, NF, NF, NF, NF, 1]),
    ("thread.request_promotion", "thread own", [NAUTH, 1, 1, 1, 1, 1]),
    ("thread.request_promotion", "thread", [NAUTH] + [NA] * 5),
    ("thread.request_promotion", "thread own promoted", [NAUTH] + [PROMOTED] * 5),
    ("draft.read", "draft", [1, 1, 1, 1, 1, 1]),
    ("draft.read", "draft withdrawn", [1, 1, 1, 1, 1, 1]),
    ("draft.create", "nothing", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.create", "area here suspended", [NAUTH] + [SUSP] * 5),
    ("draft.edit", "draft own", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.edit", "draft own in_review", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.edit", "draft", [NAUTH] + [NDA] * 5),
    ("draft.edit", "draft invited", [NAUTH] + [NDA] * 5),
    ("draft.edit", "draft own ready", [NAUTH] + [CLOSED] * 5),
    ("draft.edit", "draft own withdrawn", [NAUTH] + [CLOSED] * 5),
    ("draft.edit", "draft own suspended", [NAUTH] + [SUSP] * 5),
    ("draft.invite", "draft own", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.invite", "draft", [NAUTH] + [NDA] * 5),
    ("draft.tag_units", "draft", [NAUTH, NAOM, 1, NAOM, NAOM, 1]),
    ("draft.tag_units", "draft own", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.tag_units", "draft ready", [NAUTH, NAOM, CLOSED, NAOM, NAOM, CLOSED]),
    ("draft.tag_units", "draft city", [NAUTH, NAOM, NAOM, NAOM, NAOM, 1]),
    ("invitation.answer", "invitation own", [NAUTH, 1, 1, 1, 1, 1]),
    ("invitation.answer", "invitation other", [NAUTH] + [NF] * 5),
    ("invitation.answer", "invitation own answered", [NAUTH] + ["invitation_answered"] * 5),
    # The status machine: every move in DRAFT_MOVES, by role, and moves that do not exist.
    ("draft.move", "move draft>in_review own", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.move", "move draft>in_review", [NAUTH, NMOVE, 1, NMOVE, NMOVE, 1]),
    ("draft.move", "move draft>in_review city", [NAUTH, NMOVE, NMOVE, NMOVE, NMOVE, 1]),
    ("draft.move", "move draft>in_review own suspended", [NAUTH] + [SUSP] * 5),
    ("draft.move", "move in_review>revised own", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.move", "move in_review>revised", [NAUTH, NMOVE, 1, NMOVE, NMOVE, 1]),
    ("draft.move", "move revised>in_review own", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.move", "move revised>in_review", [NAUTH, NMOVE, 1, NMOVE, NMOVE, 1]),
    ("draft.move", "move revised>ready own", [NAUTH, NMOVE, 1, NMOVE, NMOVE, 1]),
    ("draft.move", "move revised>ready", [NAUTH, NMOVE, 1, NMOVE, NMOVE, 1]),
    ("draft.move", "move revised>ready city", [NAUTH, NMOVE, NMOVE, NMOVE, NMOVE, 1]),
    ("draft.move", "move ready>revised", [NAUTH, NMOVE, 1, NMOVE, NMOVE, 1]),
    ("draft.move", "move ready>revised own", [NAUTH, NMOVE, 1, NMOVE, NMOVE, 1]),
    ("draft.move", "move draft>withdrawn own", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.move", "move in_review>withdrawn own", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.move", "move revised>withdrawn own", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.move", "move ready>withdrawn own", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.move", "move ready>withdrawn", [NAUTH, NMOVE, NMOVE, NMOVE, NMOVE, 1]),
    ("draft.move", "move in_review>withdrawn", [NAUTH, NMOVE, NMOVE, NMOVE, NMOVE, 1]),
    ("draft.move", "move withdrawn>draft own", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.move", "move withdrawn>draft", [NAUTH] + [NMOVE] * 5),
    ("draft.move", "move draft>ready own", [NAUTH] + [INVALID] * 5),
    ("draft.move", "move draft>revised own", [NAUTH] + [INVALID] * 5),
    ("draft.move", "move in_review>ready own", [NAUTH] + [INVALID] * 5),
    ("draft.move", "move in_review>draft own", [NAUTH] + [INVALID] * 5),
    ("draft.move", "move ready>in_review own", [NAUTH] + [INVALID] * 5),
    ("draft.move", "move withdrawn>ready own", [NAUTH] + [INVALID] * 5),
    ("draft.move", "move draft>draft own", [NAUTH] + [INVALID] * 5),
    ("coauthor.remove", "member led", [NAUTH, 1, 1, 1, 1, 1]),
    ("coauthor.remove", "member led pending", [NAUTH, 1, 1, 1, 1, 1]),
    ("coauthor.remove", "member co pending mine", [NAUTH, 1, 1, 1, 1, 1]),
    ("coauthor.remove", "member co pending", [NAUTH] + [NFA] * 5),
    ("coauthor.remove", "member co", [NAUTH] + [NFA] * 5),
    ("coauthor.remove", "member co first", [NAUTH] + [FIRST] * 5),
    ("coauthor.remove", "member", [NAUTH] + [NDA] * 5),
    ("coauthor.remove", "member led ready", [NAUTH] + [CLOSED] * 5),
    ("coauthor.remove", "member led suspended", [NAUTH] + [SUSP] * 5),
    ("coauthor.leave", "member own", [NAUTH, 1, 1, 1, 1, 1]),
    ("coauthor.leave", "member own withdrawn", [NAUTH, 1, 1, 1, 1, 1]),
    ("coauthor.leave", "member own pending", [NAUTH] + [NF] * 5),
    ("coauthor.leave", "member", [NAUTH] + [NF] * 5),
    ("coauthor.leave", "member led first", [NAUTH] + [FIRST] * 5),
    ("coauthor.leave", "member own suspended", [NAUTH] + [SUSP] * 5),
    # Reviews, proposed changes, supports, exports.
    ("draft.review", "draft in_review tagged", [NAUTH, NREVR, NREVR, NREVR, 1, NREVR]),
    ("draft.review", "draft revised tagged", [NAUTH, NREVR, NREVR, NREVR, NREV, NREVR]),
    ("draft.review", "draft in_review", [NAUTH] + [NREVR] * 5),
    ("change.decide", "change own", [NAUTH, 1, 1, 1, 1, 1]),
    ("change.decide", "change", [NAUTH] + [NDA] * 5),
    ("change.decide", "change own decided", [NAUTH] + ["change_decided"] * 5),
    ("change.decide", "change own ready", [NAUTH] + [CLOSED] * 5),
    ("draft.support", "draft", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.support", "draft own", [NAUTH, 1, 1, 1, 1, 1]),
    ("draft.support", "draft withdrawn", [NAUTH] + ["draft_withdrawn"] * 5),
    ("draft.support", "draft suspended", [NAUTH] + [SUSP] * 5),
    ("support.withdraw", "support own", [NAUTH, 1, 1, 1, 1, 1]),
    ("support.withdraw", "support other", [NAUTH] + [NF] * 5),
    ("drafts.export", "nothing", [NAUTH, NTEAM, NTEAM, NTEAM, 1, 1]),
    # Meetings: held by the area's ambassadors, run by their host, open to the room's readers.
    ("meeting.schedule", "room", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("meeting.schedule", "room subarea", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("meeting.schedule", "room archived", [NAUTH, NMOD, ARCH, NMOD, NMOD, ARCH]),
    ("meeting.schedule", "room suspended", [NAUTH, NMOD, SUSP, NMOD, NMOD, SUSP]),
    ("meeting.schedule", "room private", [NF, NF, NF, NF, NF, 1]),
    ("meeting.read", "meeting", [1, 1, 1, 1, 1, 1]),
    ("meeting.read", "meeting private", [NF, NF, NF, NF, NF, 1]),
    ("meeting.edit", "meeting", [NAUTH, NHOST, 1, NHOST, NHOST, 1]),
    ("meeting.edit", "meeting own", [NAUTH, 1, 1, 1, 1, 1]),
    ("meeting.edit", "meeting live", [NAUTH, NHOST, 1, NHOST, NHOST, 1]),
    ("meeting.edit", "meeting ended", [NAUTH, NHOST, ENDED, NHOST, NHOST, ENDED]),
    ("meeting.edit", "meeting cancelled", [NAUTH, NHOST, CANC, NHOST, NHOST, CANC]),
    ("meeting.edit", "meeting own suspended", [NAUTH] + [SUSP] * 5),
    ("meeting.run", "meeting live", [NAUTH, NHOST, 1, NHOST, NHOST, 1]),
    ("meeting.run", "meeting", [NAUTH, NHOST, NLIVE, NHOST, NHOST, NLIVE]),
    ("meeting.run", "meeting ended", [NAUTH, NHOST, NLIVE, NHOST, NHOST, NLIVE]),
    ("meeting.run", "meeting live cancelled", [NAUTH, NHOST, CANC, NHOST, NHOST, CANC]),
    ("meeting.write_minutes", "meeting ended", [NAUTH, NHOST, 1, NHOST, NHOST, 1]),
    ("meeting.write_minutes", "meeting live", [NAUTH, NHOST, NENDED, NHOST, NHOST, NENDED]),
    ("meeting.read_attendance", "meeting", [NAUTH, NHOST, 1, NHOST, NHOST, 1]),
    ("meeting.read_attendance", "meeting own", [NAUTH, 1, 1, 1, 1, 1]),
    ("meeting.signup", "meeting", [NAUTH, 1, 1, 1, 1, 1]),
    ("meeting.signup", "meeting live", [NAUTH, 1, 1, 1, 1, 1]),
    ("meeting.signup", "meeting ended", [NAUTH] + [ENDED] * 5),
    ("meeting.signup", "meeting cancelled", [NAUTH] + [CANC] * 5),
    ("meeting.signup", "meeting suspended", [NAUTH] + [SUSP] * 5),
    ("meeting.signup", "meeting private", [NF, NF, NF, NF, NF, 1]),
    ("meeting.ask", "meeting live", [NAUTH, 1, 1, 1, 1, 1]),
    ("meeting.ask", "meeting ended", [NAUTH] + [ENDED] * 5),
    ("signup.withdraw", "signup own", [NAUTH, 1, 1, 1, 1, 1]),
    ("signup.withdraw", "signup", [NAUTH] + [NF] * 5),
    ("signup.withdraw", "signup own ended", [NAUTH] + [ENDED] * 5),
    ("question.answer", "question live", [NAUTH, NHOST, 1, NHOST, NHOST, 1]),
    ("question.answer", "question live cancelled", [NAUTH, NHOST, CANC, NHOST, NHOST, CANC]),
    # The workshop series: needs and ideas are threads its moderators mark.
    ("workshop_item.mark", "thread", [NAUTH, NMOD, 1, NMOD, NMOD, 1]),
    ("workshop_item.mark", "thread private", [NF, NF, NF, NF, NF, 1]),
    ("idea.link_needs", "idea own", [NAUTH, 1, 1, 1, 1, 1]),
    ("idea.link_needs", "idea", [NAUTH, NAOM, 1, NAOM, NAOM, 1]),
    ("idea.link_needs", "idea own suspended", [NAUTH] + [SUSP] * 5),
    ("series.manage", "nothing", [NAUTH, NADMIN, NADMIN, NADMIN, NADMIN, 1]),
]

CASES = [
    pytest.param(action, case, role, answers[i], id=f"{action}-{case}-{role}")
    for action, case, answers in MATRIX
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("action", "case", "role", "answer"), CASES)
def test_policy_matrix(people, action, case, role, answer):
    with app_context():
        asker = people[role]
        if asker.is_authenticated:
            asker = db.session.get(User, asker.id)
        target = _target(case, asker, people)
        decision = decide(asker, action, target)
        assert (decision.allowed, decision.reason) == (
            (True, "") if answer == 1 else (False, answer)
        )
        assert can(asker, action, target) is decision.allowed


def test_every_rule_is_in_the_matrix():
    assert {action for action, _case, _answers in MATRIX} == set(RULES)


@pytest.mark.parametrize(
    ("reason", "error", "code"),
    [
        ("not_found", NotFound, "not_found"),
        ("not_authenticated", NotAuthenticated, "not_authenticated"),
        ("not_author", Forbidden, "forbidden"),
        ("not_moderator", Forbidden, "forbidden"),
        ("not_admin", Forbidden, "forbidden"),
        ("not_unit_member", Forbidden, "forbidden"),
        ("thread_locked", Conflict, "thread_locked"),
        ("thread_deleted", Conflict, "thread_deleted"),
        ("post_deleted", Conflict, "post_deleted"),
        ("suspended", Forbidden, "suspended"),
        ("muted", Forbidden, "muted"),
        ("room_archived", Conflict, "room_archived"),
        ("own_post", Conflict, "own_post"),
        ("flag_resolved", Conflict, "flag_resolved"),
        ("already_ambassador", Conflict, "already_ambassador"),
        ("application_decided", Conflict, "application_decided"),
        ("not_author_or_moderator", Forbidden, "forbidden"),
        ("not_expert_answer", Conflict, "not_expert_answer"),
        ("already_promoted", Conflict, "already_promoted"),
        ("not_draft_author", Forbidden, "not_draft_author"),
        ("draft_closed", Conflict, "draft_closed"),
        ("invitation_answered", Conflict, "invitation_answered"),
        ("first_author", Conflict, "first_author"),
        ("not_first_author", Forbidden, "not_first_author"),
        ("invalid_move", Conflict, "invalid_move"),
        ("move_not_allowed", Forbidden, "move_not_allowed"),
        ("not_in_review", Conflict, "not_in_review"),
        ("not_reviewer", Forbidden, "not_reviewer"),
        ("change_decided", Conflict, "change_decided"),
        ("draft_withdrawn", Conflict, "draft_withdrawn"),
        ("not_city_team", Forbidden, "forbidden"),
        ("not_host", Forbidden, "not_host"),
        ("meeting_cancelled", Conflict, "meeting_cancelled"),
        ("meeting_ended", Conflict, "meeting_ended"),
        ("meeting_not_live", Conflict, "meeting_not_live"),
        ("meeting_not_ended", Conflict, "meeting_not_ended"),
    ],
)
def test_every_reason_has_its_error(app, reason, error, code):
    with app.test_request_context():
        raised = refusal(reason, None, utcnow())
    assert isinstance(raised, error) and raised.code == code and raised.message


def test_every_reason_used_by_a_rule_is_explained():
    used = {answer for _a, _c, answers in MATRIX for answer in answers if answer != 1}
    assert used <= set(REFUSALS)


def test_ensure_raises_the_explained_error(people):
    with app_context():
        thread = _target("thread locked", people["resident"], people)
        resident = db.session.get(User, people["resident"].id)
        with pytest.raises(Conflict) as raised:
            ensure(resident, "post.reply", thread)
        assert raised.value.code == "thread_locked"
        with pytest.raises(NotFound) as missing:
            ensure(GUEST, "room.read", _room("room private"))
        assert "room" in missing.value.message or "pokoju" in missing.value.message


def test_unknown_action_is_an_error(people):
    with pytest.raises(ValueError):
        can(people["admin"], "post.teleport", None)
