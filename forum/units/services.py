"""Expert units: tagging threads and drafts for them, each unit's queue (claiming an item,
giving it back), and a unit's official answer in a thread.

Every change of a queue is published on the unit's stream (`queue_updated`), a draft's tags
also on the draft's streams (`draft_updated`). Services never commit.
"""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from forum.accounts.models import ExpertUnit, User, with_grants
from forum.areas.models import Room
from forum.discussion import services as discussion
from forum.discussion.models import Post, Thread
from forum.drafts import services as drafts
from forum.drafts.models import Draft
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db, insert_unless_taken, utcnow
from forum.notifications.services import notify
from forum.policy import can, ensure
from forum.realtime import events
from forum.realtime.streams import publish, thread_stream, unit_stream
from forum.units.models import OfficialAnswer, UnitTag

# --- units -----------------------------------------------------------------------------------


def all_units() -> list[ExpertUnit]:
    return list(db.session.scalars(select(ExpertUnit).order_by(ExpertUnit.code)))


def units_of(user) -> list[ExpertUnit]:
    """The units the person is an expert of."""
    if not user.is_authenticated:
        return []
    units = [g.unit for g in user.role_grants if g.role == "expert" and g.unit is not None]
    return sorted(units, key=lambda unit: unit.code)


def access_unit(user, unit_id: int) -> ExpertUnit:
    """The unit, if the person may read its queue (its experts, the admins)."""
    unit = db.session.get(ExpertUnit, unit_id)
    if unit is None:
        raise NotFound(_("There is no such unit."))
    ensure(user, "unit.read_queue", unit)
    return unit


def _chosen_units(unit_ids) -> list[ExpertUnit]:
    """The units named by id; an unknown one is a field error naming it."""
    wanted = list(dict.fromkeys(unit_ids or ()))
    found = {
        unit.id: unit
        for unit in db.session.scalars(select(ExpertUnit).where(ExpertUnit.id.in_(wanted)))
    }
    unknown = [str(unit_id) for unit_id in wanted if unit_id not in found]
    if unknown:
        message = ngettext(
            "There is no unit %(ids)s.",
            "There are no units %(ids)s.",
            len(unknown),
            ids=", ".join(unknown),
        )
        raise ValidationError(_("Some fields need correcting."), {"unit_ids": message})
    return [found[unit_id] for unit_id in wanted]


# --- tagging ---------------------------------------------------------------------------------


def _active_tags(**subject) -> list[UnitTag]:
    ((column, value),) = subject.items()
    return list(
        db.session.scalars(
            select(UnitTag)
            .where(getattr(UnitTag, column) == value, UnitTag.removed_at.is_(None))
            .options(joinedload(UnitTag.unit))
            .order_by(UnitTag.id)
        )
    )


def _insert_tag(values: dict) -> int | None:
    """Insert the tag unless the item is in the unit's queue already; its id, or None."""
    column = "thread_id" if values.get("thread_id") is not None else "draft_id"
    return insert_unless_taken(
        UnitTag,
        values,
        ["unit_id", column],
        getattr(UnitTag, column).is_not(None) & UnitTag.removed_at.is_(None),
    )


def _set_units(user, subject: dict, unit_ids, *, add_only: bool) -> tuple[list, list]:
    """Tag the item for these units (and, unless add_only, untag it from the others);
    (added, removed) tags, each published on its unit's queue."""
    units = _chosen_units(unit_ids)
    current = _active_tags(**subject)
    tagged = {tag.unit_id for tag in current}
    now = utcnow()
    added = []
    for unit in units:
        if unit.id in tagged:
            continue
        tag_id = _insert_tag(
            {**subject, "unit_id": unit.id, "tagged_by_id": user.id, "created_at": now}
        )
        if tag_id is not None:  # else tagged by a request sent at the same moment
            added.append(db.session.get(UnitTag, tag_id))
    removed = []
    if not add_only:
        keep = {unit.id for unit in units}
        removed = [tag for tag in current if tag.unit_id not in keep]
        for tag in removed:
            tag.removed_at, tag.removed_by_id = now, user.id
    db.session.flush()
    for tag in added + removed:
        publish(events.QUEUE_UPDATED, unit_stream(tag.unit_id), tag)
    return added, removed


def _untag(user, subject: dict, unit_id: int) -> UnitTag:
    tag = next((t for t in _active_tags(**subject) if t.unit_id == unit_id), None)
    if tag is None:
        raise NotFound(_("The item is not tagged for this unit."))
    tag.removed_at, tag.removed_by_id = utcnow(), user.id
    db.session.flush()
    publish(events.QUEUE_UPDATED, unit_stream(tag.unit_id), tag)
    return tag


def thread_units(user, thread_id: int) -> tuple[Thread, list[UnitTag]]:
    """A thread the person may read, and its active tags."""
    thread = discussion.access_thread(user, thread_id)
    return thread, _active_tags(thread_id=thread.id)


def tag_thread(user, thread_id: int, unit_ids, *, add_only: bool = True) -> Thread:
    """Ask these units to look at the thread: its author or the area's moderators.

    add_only=False makes the given units the thread's whole list (the tagging form)."""
    thread = discussion.access_thread(user, thread_id)
    ensure(user, "thread.tag_units", thread)
    _set_units(user, {"thread_id": thread.id}, unit_ids, add_only=add_only)
    db.session.expire(thread, ["unit_tags"])
    return thread


def untag_thread(user, thread_id: int, unit_id: int) -> UnitTag:
    thread = discussion.access_thread(user, thread_id)
    ensure(user, "thread.tag_units", thread)
    tag = _untag(user, {"thread_id": thread.id}, unit_id)
    db.session.expire(thread, ["unit_tags"])
    return tag


def tag_draft(user, draft_id: int, unit_ids, *, add_only: bool = True) -> Draft:
    """Ask these units to look at the draft (and review it): its authors or the area's
    moderators, while the draft is open."""
    draft = drafts.load_draft(draft_id, user)
    ensure(user, "draft.tag_units", draft)
    added, removed = _set_units(user, {"draft_id": draft.id}, unit_ids, add_only=add_only)
    db.session.expire(draft, ["unit_tags"])
    if added or removed:
        drafts.draft_updated(draft)
    return draft


def untag_draft(user, draft_id: int, unit_id: int) -> UnitTag:
    draft = drafts.load_draft(draft_id, user)
    ensure(user, "draft.tag_units", draft)
    tag = _untag(user, {"draft_id": draft.id}, unit_id)
    db.session.expire(draft, ["unit_tags"])
    drafts.draft_updated(draft)
    return tag


def carry_tags(user, thread: Thread, draft: Draft) -> list[UnitTag]:
    """A thread promoted to a draft: the draft is tagged for the thread's units (the caller
    asked the policy for "thread.promote"); each new item is published on its unit's queue."""
    unit_ids = [tag.unit_id for tag in _active_tags(thread_id=thread.id)]
    if not unit_ids:
        return []
    added, _removed = _set_units(user, {"draft_id": draft.id}, unit_ids, add_only=True)
    db.session.expire(draft, ["unit_tags"])
    return added


def draft_units(user, draft_id: int) -> tuple[Draft, list[UnitTag]]:
    draft = drafts.load_draft(draft_id, user)
    return draft, _active_tags(draft_id=draft.id)


# --- the queue -------------------------------------------------------------------------------


def _with_subjects(query):
    return query.options(
        joinedload(UnitTag.unit),
        joinedload(UnitTag.tagged_by),
        joinedload(UnitTag.claimed_by),
        joinedload(UnitTag.thread).options(
            joinedload(Thread.room).joinedload(Room.area), joinedload(Thread.author)
        ),
        joinedload(UnitTag.draft).joinedload(Draft.area),
    )


QUEUE_PER_PAGE = 50


def queue(user, unit_id: int, page: int = 1, per_page: int = QUEUE_PER_PAGE):
    """A page of the unit's queue: what is not claimed yet first, then what the person took
    on, then the rest; oldest first within each. (unit, Flask-SQLAlchemy page)"""
    unit = access_unit(user, unit_id)
    mine = user.id if user.is_authenticated else 0
    order = case((UnitTag.claimed_by_id.is_(None), 0), (UnitTag.claimed_by_id == mine, 1), else_=2)
    query = (
        _with_subjects(select(UnitTag))
        .where(UnitTag.unit_id == unit.id, UnitTag.removed_at.is_(None))
        .order_by(order, UnitTag.created_at, UnitTag.id)
    )
    items = db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)
    return unit, items


def waiting(unit: ExpertUnit) -> int:
    """Items of the unit's queue nobody took on yet."""
    return db.session.scalar(
        select(func.count(UnitTag.id)).where(
            UnitTag.unit_id == unit.id,
            UnitTag.removed_at.is_(None),
            UnitTag.claimed_by_id.is_(None),
        )
    )


def _queue_item(user, tag_id: int) -> UnitTag:
    tag = db.session.scalar(_with_subjects(select(UnitTag)).where(UnitTag.id == tag_id))
    if tag is None:
        raise NotFound(_("There is no such queue item."))
    ensure(user, "unit.read_queue", tag.unit)  # others: not even that it exists
    ensure(user, "queue_item.claim", tag)
    if tag.removed_at is not None:
        raise Conflict(_("This item was taken off the unit's queue."), code="item_removed")
    return tag


def claim(user, tag_id: int) -> UnitTag:
    """Take an item of the unit's queue on; claiming one's own claim again changes nothing."""
    tag = _queue_item(user, tag_id)
    if tag.claimed_by_id == user.id:
        return tag
    now = utcnow()
    taken = db.session.execute(
        update(UnitTag)
        .where(UnitTag.id == tag.id, UnitTag.claimed_by_id.is_(None))
        .values(claimed_by_id=user.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(tag)
    if not taken:
        raise Conflict(
            _("%(name)s took this item on already.", name=tag.claimed_by.display_name),
            code="already_claimed",
        )
    publish(events.QUEUE_UPDATED, unit_stream(tag.unit_id), tag)
    return tag


def release(user, tag_id: int) -> UnitTag:
    """Give a claimed item back to the queue: who claimed it, or any expert of the unit once
    the claimer no longer is one."""
    tag = _queue_item(user, tag_id)
    if tag.claimed_by_id is None:
        return tag
    if tag.claimed_by_id != user.id:
        claimer = db.session.get(User, tag.claimed_by_id, options=[with_grants()])
        if claimer.is_expert_of(tag.unit):
            raise Conflict(
                _(
                    "%(name)s took this item on: only they may give it back.",
                    name=claimer.display_name,
                ),
                code="claimed_by_other",
            )
    tag.claimed_by_id, tag.claimed_at = None, None
    db.session.flush()
    db.session.expire(tag, ["claimed_by"])
    publish(events.QUEUE_UPDATED, unit_stream(tag.unit_id), tag)
    return tag


# --- official answers ------------------------------------------------------------------------


def official_answers(thread: Thread) -> list[OfficialAnswer]:
    """The thread's official answers whose post is still there to read, by unit code."""
    answers = db.session.scalars(
        select(OfficialAnswer)
        .where(OfficialAnswer.thread_id == thread.id)
        .options(
            joinedload(OfficialAnswer.unit),
            joinedload(OfficialAnswer.post).joinedload(Post.author).options(with_grants()),
        )
    ).all()
    shown = [a for a in answers if not (a.post.is_deleted or a.post.is_hidden)]
    return sorted(shown, key=lambda answer: answer.unit.code)


def answering_units(user, post: Post) -> list[ExpertUnit]:
    """The units whose answer the person may mark the post as: tagged on its thread, and the
    person and the post's author both experts of it."""
    if not can(user, "post.mark_official", post):
        return []
    tagged = {tag.unit_id for tag in post.thread.unit_tags}
    return [unit for unit in units_of(user) if unit.id in tagged and post.author.is_expert_of(unit)]


def mark_official(user, post_id: int, unit_id: int | None = None) -> OfficialAnswer:
    """Mark an expert's reply as the unit's official answer in its thread (in place of an
    earlier one of the same unit); the thread's author is told."""
    post = discussion.access_post(user, post_id)
    ensure(user, "post.mark_official", post)
    units = answering_units(user, post)
    if unit_id is None and len(units) > 1:
        raise ValidationError(
            _("Some fields need correcting."),
            {"unit_id": _("Choose the unit whose answer this is.")},
        )
    unit = units[0] if unit_id is None else next((u for u in units if u.id == unit_id), None)
    if unit is None:
        raise ValidationError(
            _("Some fields need correcting."),
            {"unit_id": _("The reply cannot be the answer of this unit.")},
        )
    current = db.session.scalar(
        select(OfficialAnswer).where(
            OfficialAnswer.thread_id == post.thread_id, OfficialAnswer.unit_id == unit.id
        )
    )
    if current is not None and current.post_id == post.id:
        return current  # marked already: nothing new to tell
    answer = _upsert_answer(post, unit, user)
    _official_answer_changed(answer.thread_id)
    if post.thread.author_id != user.id:
        notify(
            post.thread.author_id,
            "official_answer",
            actor_id=user.id,
            thread_id=post.thread_id,
            post_id=post.id,
            unit_id=unit.id,
        )
    return answer


def _upsert_answer(post: Post, unit: ExpertUnit, user) -> OfficialAnswer:
    """The unit's answer in the thread, now this post (one row per thread and unit, also
    when two experts mark at the same moment: the later one wins)."""
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[db.session.get_bind().dialect.name]
    now = utcnow()
    statement = dialect.insert(OfficialAnswer).values(
        thread_id=post.thread_id,
        unit_id=unit.id,
        post_id=post.id,
        marked_by_id=user.id,
        created_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["thread_id", "unit_id"],
        set_={"post_id": post.id, "marked_by_id": user.id, "created_at": now},
    ).returning(OfficialAnswer.id)
    answer_id = db.session.execute(statement).scalar()
    return db.session.get(OfficialAnswer, answer_id, populate_existing=True)


def access_official_answer(user, thread_id: int, unit_id: int) -> OfficialAnswer:
    thread = discussion.access_thread(user, thread_id)
    answer = db.session.scalar(
        select(OfficialAnswer)
        .where(OfficialAnswer.thread_id == thread.id, OfficialAnswer.unit_id == unit_id)
        .options(joinedload(OfficialAnswer.unit), joinedload(OfficialAnswer.post))
    )
    if answer is None:
        raise NotFound(_("There is no such official answer."))
    return answer


def remove_official(user, thread_id: int, unit_id: int) -> OfficialAnswer:
    """Take back the unit's official answer in the thread: the reply stays, unmarked."""
    answer = access_official_answer(user, thread_id, unit_id)
    ensure(user, "official_answer.remove", answer)
    db.session.delete(answer)
    db.session.flush()
    _official_answer_changed(thread_id)
    return answer


def _official_answer_changed(thread_id: int) -> None:
    """The top of the thread changed: readers of its stream get the thread again."""
    thread = db.session.get(Thread, thread_id)
    publish(events.THREAD_UPDATED, thread_stream(thread.id), thread)


# --- for templates: what a thread page shows, asked once per request ---------------------------


def thread_unit_view(thread: Thread) -> dict:
    """The thread's tagged units and shown official answers (memoised for the request), and
    which post ids are official answers of which unit."""
    memo = g.setdefault("thread_units", {})
    if thread.id not in memo:
        answers = official_answers(thread)
        official: dict[int, list[ExpertUnit]] = {}
        for answer in answers:
            official.setdefault(answer.post_id, []).append(answer.unit)
        tags = _active_tags(thread_id=thread.id)
        # The policy asks for them too (may this expert mark a reply?): one query for both.
        set_committed_value(thread, "unit_tags", tags)
        memo[thread.id] = {
            "tags": tags,
            "answers": answers,
            "official": official,
        }
    return memo[thread.id]
