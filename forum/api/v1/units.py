"""Expert units: tagging threads and drafts, each unit's queue and claims, official answers."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.policy import can
from forum.realtime.streams import last_seq, unit_stream
from forum.schemas import PageQuery, pagination
from forum.units import schemas, services
from forum.units.schemas import official_answer_view, queue_item_view, unit_ref

DENIED = {401: ("not_authenticated",), 403: ("forbidden", "suspended")}
TAG_ERRORS = {**DENIED, 409: ("thread_deleted",)}
DRAFT_TAG_ERRORS = {**DENIED, 409: ("draft_closed",)}
CLAIM_ERRORS = {**DENIED, 409: ("item_removed", "already_claimed", "claimed_by_other")}


@operation("GET", "/units", summary="The city's expert units.", answer=schemas.UnitList)
def units():
    return schemas.UnitList(
        units=[
            schemas.Unit(
                **unit_ref(unit).model_dump(),
                can_read_queue=can(current_user, "unit.read_queue", unit),
            )
            for unit in services.all_units()
        ]
    )


def _thread_units(thread) -> schemas.ThreadUnits:
    tags = services.thread_units(current_user, thread.id)[1]
    return schemas.ThreadUnits(
        thread_id=thread.id,
        units=[unit_ref(tag.unit) for tag in tags],
        official_answers=[
            official_answer_view(answer, current_user)
            for answer in services.official_answers(thread)
        ],
        can_tag=can(current_user, "thread.tag_units", thread),
    )


@operation(
    "GET",
    "/threads/<int:thread_id>/units",
    summary="The units a thread is tagged for, and their official answers in it.",
    answer=schemas.ThreadUnits,
)
def thread_units(thread_id: int):
    thread, _tags = services.thread_units(current_user, thread_id)
    return _thread_units(thread)


@operation(
    "POST",
    "/threads/<int:thread_id>/units",
    summary="Tag a thread for expert units: it joins their queues (its author, the area's "
    "ambassadors, the admins). Units it is tagged for already stay as they are.",
    body=schemas.UnitChoice,
    answer=schemas.ThreadUnits,
    errors=TAG_ERRORS,
)
def tag_thread(thread_id: int, body: schemas.UnitChoice):
    return _thread_units(services.tag_thread(current_user, thread_id, body.unit_ids))


@operation(
    "DELETE",
    "/threads/<int:thread_id>/units/<int:unit_id>",
    summary="Untag a thread: it leaves the unit's queue.",
    answer=schemas.ThreadUnits,
    errors=TAG_ERRORS,
)
def untag_thread(thread_id: int, unit_id: int):
    tag = services.untag_thread(current_user, thread_id, unit_id)
    return _thread_units(tag.thread)


def _draft_units(draft) -> schemas.DraftUnits:
    tags = services.draft_units(current_user, draft.id)[1]
    return schemas.DraftUnits(
        draft_id=draft.id,
        units=[unit_ref(tag.unit) for tag in tags],
        can_tag=can(current_user, "draft.tag_units", draft),
    )


@operation(
    "GET",
    "/drafts/<int:draft_id>/units",
    summary="The units a proposal draft is tagged for.",
    answer=schemas.DraftUnits,
)
def draft_units(draft_id: int):
    return _draft_units(services.draft_units(current_user, draft_id)[0])


@operation(
    "POST",
    "/drafts/<int:draft_id>/units",
    summary="Tag a proposal draft for expert units: it joins their queues, and they review it "
    "(its authors, the area's ambassadors, the admins, while the draft is open).",
    body=schemas.UnitChoice,
    answer=schemas.DraftUnits,
    errors=DRAFT_TAG_ERRORS,
)
def tag_draft(draft_id: int, body: schemas.UnitChoice):
    return _draft_units(services.tag_draft(current_user, draft_id, body.unit_ids))


@operation(
    "DELETE",
    "/drafts/<int:draft_id>/units/<int:unit_id>",
    summary="Untag a proposal draft: it leaves the unit's queue.",
    answer=schemas.DraftUnits,
    errors=DRAFT_TAG_ERRORS,
)
def untag_draft(draft_id: int, unit_id: int):
    return _draft_units(services.untag_draft(current_user, draft_id, unit_id).draft)


@operation(
    "GET",
    "/units/<int:unit_id>/queue",
    summary="A unit's queue of threads and drafts (its experts and the admins).",
    query=PageQuery,
    answer=schemas.Queue,
    errors={401: ("not_authenticated",), 403: ("forbidden",)},
)
def unit_queue(unit_id: int, query: PageQuery):
    seq = last_seq(unit_stream(unit_id))  # before the items: a later change is caught up
    unit, items = services.queue(current_user, unit_id, query.page, query.per_page)
    return schemas.Queue(
        unit=unit_ref(unit),
        items=[queue_item_view(tag, current_user) for tag in items.items],
        waiting=services.waiting(unit),
        meta=pagination(items),
        stream=f"unit:{unit.id}",
        last_seq=seq,
    )


@operation(
    "POST",
    "/queue-items/<int:item_id>/claim",
    summary="Take an item of the unit's queue on (the unit's experts).",
    body=schemas.Claim,
    answer=schemas.QueueItemAnswer,
    errors=CLAIM_ERRORS,
)
def claim_item(item_id: int, body: schemas.Claim):
    return schemas.QueueItemAnswer(
        item=queue_item_view(services.claim(current_user, item_id), current_user)
    )


@operation(
    "DELETE",
    "/queue-items/<int:item_id>/claim",
    summary="Give a claimed item back to the unit's queue.",
    answer=schemas.QueueItemAnswer,
    errors=CLAIM_ERRORS,
)
def release_item(item_id: int):
    return schemas.QueueItemAnswer(
        item=queue_item_view(services.release(current_user, item_id), current_user)
    )


@operation(
    "POST",
    "/posts/<int:post_id>/official",
    summary="Mark an expert's reply as the unit's official answer in a thread tagged for the "
    "unit (an expert of the unit); it takes the place of the unit's earlier answer there. "
    "The thread's author is told.",
    body=schemas.MarkOfficial,
    answer=schemas.OfficialAnswerAnswer,
    errors={**DENIED, 409: ("not_expert_answer",)},
)
def mark_official(post_id: int, body: schemas.MarkOfficial):
    answer = services.mark_official(current_user, post_id, body.unit_id)
    return schemas.OfficialAnswerAnswer(answer=official_answer_view(answer, current_user))


@operation(
    "DELETE",
    "/threads/<int:thread_id>/official-answers/<int:unit_id>",
    summary="Take back a unit's official answer in a thread (an expert of the unit); the reply "
    "stays.",
    answer=schemas.ThreadUnits,
    errors=DENIED,
)
def remove_official(thread_id: int, unit_id: int):
    services.remove_official(current_user, thread_id, unit_id)
    thread, _tags = services.thread_units(current_user, thread_id)
    return _thread_units(thread)
