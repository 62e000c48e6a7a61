"""Proposal drafts: read one, start one, promote a thread or ask for it, save a revision."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.drafts import editing, promotion, schemas
from forum.drafts.schemas import draft_view
from forum.drafts.services import load_draft
from forum.policy import can

WRITE_ERRORS = {401: ("not_authenticated",), 403: ("suspended",)}


def _answer(draft_id: int) -> schemas.DraftAnswer:
    draft = load_draft(draft_id, current_user)
    return schemas.DraftAnswer(
        draft=draft_view(draft, current_user), can_edit=can(current_user, "draft.edit", draft)
    )


@operation(
    "GET",
    "/drafts/<int:draft_id>",
    summary="A proposal draft with every BO field, what it still lacks, its authors and units.",
    answer=schemas.DraftAnswer,
)
def draft(draft_id: int):
    return _answer(draft_id)


@operation(
    "POST",
    "/drafts",
    summary="Start a draft of one's own (BO's individual path) in the current edition.",
    description="The fields given are validated as any save; the rest may come later.",
    body=schemas.NewDraft,
    answer=schemas.DraftAnswer,
    status=201,
    errors=WRITE_ERRORS | {409: ("no_edition",), 422: ("over_cost_cap",)},
)
def start_draft(body: schemas.NewDraft):
    draft = editing.start_own_draft(current_user, body.area_id, body.changes())
    return _answer(draft.id)


@operation(
    "PATCH",
    "/drafts/<int:draft_id>",
    summary="Save the fields sent as the draft's next revision (its authors and co-authors).",
    description="`version` names the revision the changes are based on. If someone saved "
    "since, nothing is saved: a 409 `version_conflict` carries the current text and yours. "
    "Sending nothing that differs from that revision saves nothing.",
    body=schemas.DraftEdit,
    answer=schemas.DraftAnswer,
    errors={
        401: ("not_authenticated",),
        403: ("not_draft_author", "suspended"),
        409: ("version_conflict", "draft_closed"),
        422: ("over_cost_cap",),
    },
)
def edit_draft(draft_id: int, body: schemas.DraftEdit):
    editing.edit_draft(current_user, draft_id, body.changes(), body.version, body.note)
    return _answer(draft_id)


@operation(
    "POST",
    "/threads/<int:thread_id>/draft",
    summary="Promote a thread to a proposal draft (the area's ambassadors, the coordinators).",
    description="The draft takes the thread's title and its opening post as the full "
    "description, cites the posts chosen, keeps the thread's unit tags; the thread's author "
    "becomes a co-author and is notified.",
    body=schemas.Promotion,
    answer=schemas.DraftAnswer,
    status=201,
    errors=WRITE_ERRORS
    | {403: ("forbidden", "suspended"), 409: ("already_promoted", "thread_deleted", "no_edition")},
)
def promote_thread(thread_id: int, body: schemas.Promotion):
    draft = promotion.promote_thread(
        current_user, thread_id, source_post_ids=tuple(body.source_post_ids), title=body.title
    )
    return _answer(draft.id)


@operation(
    "POST",
    "/threads/<int:thread_id>/promotion-requests",
    summary="Ask the area's ambassadors to promote one's thread to a proposal draft.",
    body=schemas.PromotionRequest,
    answer=schemas.PromotionRequested,
    errors={
        401: ("not_authenticated",),
        403: ("forbidden", "suspended"),
        409: ("already_promoted", "thread_deleted"),
    },
)
def request_promotion(thread_id: int, body: schemas.PromotionRequest):
    return schemas.PromotionRequested(notified=promotion.request_promotion(current_user, thread_id))
