"""A draft's co-authors: an author invites a resident by the e-mail address of their account;
the invited accept (then they edit) or decline; the first author removes co-authors, a co-author
may leave. Every change is news on the draft's stream; invitations and answers are notified.
Services never commit; the caller owns the transaction."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from forum import ratelimits
from forum.accounts.models import User, with_grants
from forum.accounts.services import EMAIL
from forum.drafts.models import Draft, DraftAuthor
from forum.drafts.services import draft_updated, load_draft, people_of
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db, insert_unless_taken, utcnow
from forum.notifications.services import notify
from forum.policy import ensure, refusal

EMAIL_MAX = 254


def authors_of(viewer, draft_id: int) -> Draft:
    """The draft with its authors, co-authors and open invitations (and who sent them)."""
    draft = load_draft(draft_id, viewer)
    db.session.scalars(  # fills the identity map: the page reads each inviter without a query
        select(DraftAuthor)
        .where(DraftAuthor.draft_id == draft.id)
        .options(joinedload(DraftAuthor.invited_by).options(with_grants()))
    ).all()
    return draft


def place_of(user, draft: Draft) -> DraftAuthor | None:
    """The user's place among the draft's authors (accepted or invited), if any."""
    if not user.is_authenticated:
        return None
    return next((a for a in draft.authors if a.user_id == user.id), None)


def pending_invitation(user, draft: Draft) -> DraftAuthor | None:
    place = place_of(user, draft)
    return place if place is not None and place.is_pending else None


def _already(user: User, place: DraftAuthor) -> Conflict:
    if place.is_pending:
        return Conflict(
            _("%(name)s is invited to this draft already.", name=user.display_name),
            {"email": _("Invited already.")},
            code="already_invited",
        )
    return Conflict(
        _("%(name)s is an author of this draft already.", name=user.display_name),
        {"email": _("An author already.")},
        code="already_author",
    )


def invite(actor, draft_id: int, email) -> DraftAuthor:
    """Invite the holder of an account, by its e-mail address, to co-author the draft."""
    draft = load_draft(draft_id, actor)
    ensure(actor, "draft.invite", draft)
    address = email.strip().lower() if isinstance(email, str) else ""
    if not EMAIL.match(address) or len(address) > EMAIL_MAX:
        raise ValidationError(
            _("Some fields need attention."), {"email": _("Give a valid e-mail address.")}
        )
    # Each answer tells whether the address has an account: counted, so none can sift a list.
    ratelimits.hit(ratelimits.INVITE, "user", actor.id)
    invitee = db.session.scalar(select(User).where(User.email == address))
    if invitee is None:
        raise ValidationError(
            _("No one has an account with this address: ask them to register first."),
            {"email": _("No account has this address.")},
            code="no_such_account",
        )
    if (place := place_of(invitee, draft)) is not None:
        raise _already(invitee, place)
    invitation_id = insert_unless_taken(
        DraftAuthor,
        {
            "draft_id": draft.id,
            "user_id": invitee.id,
            "role": "coauthor",
            "invited_by_id": actor.id,
            "invited_at": utcnow(),
        },
        ["draft_id", "user_id"],
    )
    if invitation_id is None:  # another author invited the same person since the check above
        raise Conflict(
            _("%(name)s is invited to this draft already.", name=invitee.display_name),
            {"email": _("Invited already.")},
            code="already_invited",
        )
    db.session.expire(draft, ["authors"])
    invitation = db.session.get(DraftAuthor, invitation_id)
    notify(invitee.id, "coauthor_invited", actor_id=actor.id, draft_id=draft.id)
    draft_updated(draft)
    return invitation


def _invitation(actor, draft: Draft) -> DraftAuthor:
    invitation = place_of(actor, draft)
    if invitation is None:
        raise NotFound(_("There is no such invitation."))
    ensure(actor, "invitation.answer", invitation)
    return invitation


def accept(actor, draft_id: int) -> DraftAuthor:
    """Accept one's invitation: a co-author from now on; the draft's authors are told."""
    draft = load_draft(draft_id, actor)
    invitation = _invitation(actor, draft)
    now = utcnow()
    # A compare-and-set, so an acceptance and a removal (or a second click) that race cannot
    # both succeed.
    if not _changed(
        update(DraftAuthor)
        .where(DraftAuthor.id == invitation.id, DraftAuthor.accepted_at.is_(None))
        .values(accepted_at=now)
    ):
        raise refusal("invitation_answered", invitation)
    invitation.accepted_at = now
    for user_id in people_of(draft):
        if user_id != actor.id:
            notify(user_id, "coauthor_accepted", actor_id=actor.id, draft_id=draft.id)
    draft_updated(draft)
    return invitation


def decline(actor, draft_id: int) -> Draft:
    """Decline one's invitation: it is gone, and whoever sent it is told."""
    draft = load_draft(draft_id, actor)
    invitation = _invitation(actor, draft)
    inviter = invitation.invited_by_id
    if not _changed(
        delete(DraftAuthor).where(
            DraftAuthor.id == invitation.id, DraftAuthor.accepted_at.is_(None)
        )
    ):
        raise refusal("invitation_answered", invitation)
    _forget(draft, invitation)
    authors = people_of(draft)
    told = inviter if inviter in authors else next(iter(authors), None)
    if told is not None:
        notify(told, "coauthor_declined", actor_id=actor.id, draft_id=draft.id)
    draft_updated(draft)
    return draft


def remove(actor, draft_id: int, user_id: int) -> DraftAuthor:
    """Take a co-author off the draft (they are told), or withdraw an invitation."""
    draft = load_draft(draft_id, actor)
    member = next((a for a in draft.authors if a.user_id == user_id), None)
    if member is None:
        raise NotFound(_("This person is not an author of this draft."))
    ensure(actor, "coauthor.remove", member)
    if not _changed(delete(DraftAuthor).where(DraftAuthor.id == member.id)):
        raise NotFound(_("This person is not an author of this draft."))
    _forget(draft, member)
    if not member.is_pending:  # a withdrawn invitation simply is no more
        notify(member.user_id, "coauthor_removed", actor_id=actor.id, draft_id=draft.id)
    draft_updated(draft)
    return member


def leave(actor, draft_id: int) -> Draft:
    """A co-author steps down: they no longer edit the draft."""
    draft = load_draft(draft_id, actor)
    place = place_of(actor, draft)
    if place is None:
        raise NotFound(_("You are not an author of this draft."))
    ensure(actor, "coauthor.leave", place)
    if not _changed(delete(DraftAuthor).where(DraftAuthor.id == place.id)):
        raise NotFound(_("You are not an author of this draft."))
    _forget(draft, place)
    draft_updated(draft)
    return draft


def _changed(statement) -> bool:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount == 1


def _forget(draft: Draft, place: DraftAuthor) -> None:
    """Drop a row deleted in SQL from the session, so the draft's authors read true."""
    db.session.expire(draft, ["authors"])
    if place in db.session:
        db.session.expunge(place)
