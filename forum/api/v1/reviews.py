"""A draft's status moves, its reviews, and the authors' decisions on the changes they propose."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.drafts import status
from forum.drafts.schemas import draft_summary_view
from forum.drafts.services import load_draft
from forum.reviews import schemas, services
from forum.reviews.schemas import (
    move_option_view,
    review_view,
    status_change_view,
)

ACTING = {401: ("not_authenticated",), 403: ("suspended",)}
CHANGE_ERRORS = ACTING | {
    403: ("suspended", "not_draft_author"),
    404: ("not_found",),
    409: ("draft_closed", "change_decided", "version_conflict"),
}


@operation(
    "GET",
    "/drafts/<int:draft_id>/status",
    summary="The draft's status, the moves the user may make now, and every move so far.",
    answer=schemas.DraftStatus,
    errors={404: ("not_found",)},
)
def draft_status(draft_id: int):
    draft = load_draft(draft_id, current_user)
    return schemas.DraftStatus(
        status=draft.status,
        moves=[move_option_view(m) for m in status.moves_for(current_user, draft)],
        history=[status_change_view(c) for c in status.status_history(draft.id)],
    )


@operation(
    "POST",
    "/drafts/<int:draft_id>/status",
    summary="Move the draft to another status.",
    description=(
        "Who may make which move is the policy's table (draft → in_review → revised → ready, "
        "withdrawn, and back). Sent for review the draft must be complete and tagged for a "
        "unit; `revised` needs a review; `ready` needs a complete draft with no open proposed "
        "change. The authors (and, sent for review, the units' experts) are notified."
    ),
    body=schemas.StatusMove,
    answer=schemas.StatusMoved,
    errors=ACTING
    | {
        403: ("suspended", "move_not_allowed"),
        404: ("not_found",),
        409: ("invalid_move", "no_units", "not_reviewed", "open_changes", "status_changed"),
        422: ("draft_incomplete", "invalid"),
    },
)
def move_draft(draft_id: int, body: schemas.StatusMove):
    change = status.move(current_user, draft_id, body.to, body.message)
    draft = load_draft(draft_id)
    return schemas.StatusMoved(draft=draft_summary_view(draft), change=status_change_view(change))


@operation(
    "GET",
    "/drafts/<int:draft_id>/reviews",
    summary="The draft's reviews with the changes they propose and what became of them.",
    answer=schemas.ReviewList,
    errors={404: ("not_found",)},
)
def draft_reviews(draft_id: int):
    load_draft(draft_id, current_user)
    return schemas.ReviewList(
        reviews=[review_view(r, current_user) for r in services.list_reviews(draft_id)]
    )


@operation(
    "POST",
    "/drafts/<int:draft_id>/reviews",
    summary="Review the draft's current revision for one's unit, proposing changes to fields.",
    description="Only an expert of a unit the draft is tagged for, while the draft is in review; "
    "one review per unit and revision.",
    body=schemas.NewReview,
    answer=schemas.ReviewAnswer,
    status=201,
    errors=ACTING
    | {
        403: ("suspended", "not_reviewer"),
        404: ("not_found",),
        409: ("not_in_review", "already_reviewed"),
    },
)
def add_review(draft_id: int, body: schemas.NewReview):
    review = services.add_review(
        current_user,
        draft_id,
        unit_id=body.unit_id,
        opinion=body.opinion,
        checklist=body.checklist,
        cost_remarks=body.cost_remarks,
        body=body.body,
        changes=list(body.changes.items()),
    )
    return schemas.ReviewAnswer(review=review_view(review, current_user))


def _decided(change) -> schemas.ChangeDecided:
    review = services.load_review(change.review_id)
    return schemas.ChangeDecided(
        change=schemas.change_view(change),
        review=review_view(review, current_user),
        draft=draft_summary_view(load_draft(change.draft_id)),
    )


@operation(
    "POST",
    "/proposed-changes/<int:change_id>/accept",
    summary="Accept a proposed change: it is applied as the draft's next revision.",
    body=schemas.AcceptChange,
    answer=schemas.ChangeDecided,
    errors=CHANGE_ERRORS | {422: ("invalid", "over_cost_cap")},
)
def accept_change(change_id: int, body: schemas.AcceptChange):
    return _decided(services.accept_change(current_user, change_id))


@operation(
    "POST",
    "/proposed-changes/<int:change_id>/decline",
    summary="Decline a proposed change, saying why; the draft stays as it is.",
    body=schemas.DeclineChange,
    answer=schemas.ChangeDecided,
    errors=CHANGE_ERRORS | {422: ("invalid",)},
)
def decline_change(change_id: int, body: schemas.DeclineChange):
    return _decided(services.decline_change(current_user, change_id, body.reason))
