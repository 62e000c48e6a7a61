"""A draft's co-authors: who they are, inviting, answering an invitation, removing, leaving."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.drafts import coauthors, schemas
from forum.drafts.schemas import authors_view

SIGNED_IN = {401: ("not_authenticated",), 404: ("not_found",)}


def _answer(draft_id: int) -> schemas.AuthorsAnswer:
    return authors_view(coauthors.authors_of(current_user, draft_id), current_user)


@operation(
    "GET",
    "/drafts/<int:draft_id>/coauthors",
    summary="The draft's authors, co-authors and open invitations, with what you may do.",
    answer=schemas.AuthorsAnswer,
    errors={404: ("not_found",)},
)
def draft_coauthors(draft_id: int):
    return _answer(draft_id)


@operation(
    "POST",
    "/drafts/<int:draft_id>/coauthors",
    summary="Invite the holder of an account, by its e-mail address, to co-author the draft.",
    description="The draft's authors and co-authors, while it may still change. The invited "
    "person is notified and becomes a co-author when they accept.",
    body=schemas.NewCoauthor,
    answer=schemas.AuthorsAnswer,
    status=201,
    errors=SIGNED_IN
    | {
        403: ("not_draft_author", "suspended"),
        409: ("draft_closed", "already_invited", "already_author"),
        422: ("no_such_account",),
        429: ("rate_limited",),
    },
)
def invite_coauthor(draft_id: int, body: schemas.NewCoauthor):
    coauthors.invite(current_user, draft_id, body.email)
    return _answer(draft_id)


@operation(
    "POST",
    "/drafts/<int:draft_id>/invitation",
    summary="Accept or decline your invitation to co-author the draft.",
    description="Accepting tells the draft's authors; declining tells whoever invited you.",
    body=schemas.InvitationAnswer,
    answer=schemas.AuthorsAnswer,
    errors=SIGNED_IN | {403: ("suspended",), 409: ("invitation_answered",)},
)
def answer_invitation(draft_id: int, body: schemas.InvitationAnswer):
    answer = coauthors.accept if body.answer == "accept" else coauthors.decline
    answer(current_user, draft_id)
    return _answer(draft_id)


@operation(
    "DELETE",
    "/drafts/<int:draft_id>/coauthors/<int:user_id>",
    summary="Remove a co-author, or withdraw an invitation.",
    description="The first author removes anyone but themselves; a co-author only withdraws "
    "the invitations they sent.",
    answer=schemas.AuthorsAnswer,
    errors=SIGNED_IN
    | {
        403: ("not_draft_author", "not_first_author", "suspended"),
        409: ("draft_closed", "first_author"),
    },
)
def remove_coauthor(draft_id: int, user_id: int):
    coauthors.remove(current_user, draft_id, user_id)
    return _answer(draft_id)


@operation(
    "DELETE",
    "/drafts/<int:draft_id>/coauthorship",
    summary="Leave the draft: you are no longer its co-author.",
    answer=schemas.AuthorsAnswer,
    errors=SIGNED_IN | {403: ("suspended",), 409: ("first_author",)},
)
def leave_draft(draft_id: int):
    coauthors.leave(current_user, draft_id)
    return _answer(draft_id)
