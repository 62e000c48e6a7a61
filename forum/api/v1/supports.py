"""Supports of a draft: how many, whether the viewer's counts, giving and withdrawing one."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.drafts.services import load_draft
from forum.supports import services
from forum.supports.schemas import NewSupport, Supports, supports_view


@operation(
    "GET",
    "/drafts/<int:draft_id>/supports",
    summary="The draft's supports: counted toward BO's list, from elsewhere, and the viewer's.",
    answer=Supports,
)
def draft_supports(draft_id: int):
    draft = load_draft(draft_id, current_user)
    return supports_view(services.support_box(current_user, draft))


@operation(
    "POST",
    "/drafts/<int:draft_id>/support",
    summary="Support the draft (once).",
    description=(
        "A district draft's supporter counts toward the 15 BO requires only if they live in "
        "the draft's district; anyone else's support is recorded and shown apart "
        "(`mine.counts` is false)."
    ),
    body=NewSupport,
    answer=Supports,
    status=201,
    errors={
        401: ("not_authenticated",),
        403: ("suspended",),
        409: ("already_supported", "draft_withdrawn"),
    },
)
def support_draft(draft_id: int, body: NewSupport):
    draft = load_draft(draft_id, current_user)
    services.support(current_user, draft)
    return supports_view(services.support_box(current_user, draft))


@operation(
    "DELETE",
    "/drafts/<int:draft_id>/support",
    summary="Withdraw one's support of the draft.",
    answer=Supports,
    errors={401: ("not_authenticated",), 404: ("not_supported",)},
)
def withdraw_support(draft_id: int):
    draft = load_draft(draft_id, current_user)
    services.withdraw(current_user, draft)
    return supports_view(services.support_box(current_user, draft))
