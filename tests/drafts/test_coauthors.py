"""Co-authors: invited by e-mail, accepting or declining, removed, leaving; who is told."""

import pytest
from sqlalchemy import select

from forum.drafts import coauthors
from forum.drafts.models import DraftAuthor
from forum.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationError
from forum.extensions import db
from forum.notifications.models import Notification
from tests.conftest import app_context, count, make_user, run, update
from tests.drafts.conftest import draft_of, save


def places(draft_id: int) -> dict[str, tuple[str, bool]]:
    """Each author's name → (role, accepted)."""
    with app_context():
        rows = db.session.scalars(select(DraftAuthor).where(DraftAuthor.draft_id == draft_id))
        return {a.user.display_name: (a.role, a.accepted_at is not None) for a in rows}


def told(user, kind: str) -> int:
    return count(Notification, Notification.user_id == user.id, Notification.kind == kind)


@pytest.fixture
def invited(anna, jan, draft_id):
    """Jan, invited by Anna."""
    run(coauthors.invite, anna, draft_id, jan.email)
    return jan


@pytest.fixture
def coauthor(invited, draft_id):
    """Jan, Anna's co-author."""
    run(coauthors.accept, invited, draft_id)
    return invited


def test_an_author_invites_by_e_mail_and_the_invited_is_told(anna, jan, draft_id):
    run(coauthors.invite, anna, draft_id, f"  {jan.email.upper()} ")
    assert places(draft_id) == {"Anna": ("author", True), "Jan": ("coauthor", False)}
    assert told(jan, "coauthor_invited") == 1


def test_the_invited_may_not_edit_until_they_accept(anna, invited, draft_id):
    with pytest.raises(Forbidden):
        save(invited, draft_id, title="Jana")
    run(coauthors.accept, invited, draft_id)
    assert places(draft_id)["Jan"] == ("coauthor", True)
    assert told(anna, "coauthor_accepted") == 1
    assert save(invited, draft_id, title="Jana") == 2


def test_declining_removes_the_invitation_and_tells_who_sent_it(anna, invited, draft_id):
    run(coauthors.decline, invited, draft_id)
    assert places(draft_id) == {"Anna": ("author", True)}
    assert told(anna, "coauthor_declined") == 1


def test_an_invitation_is_answered_once(invited, draft_id):
    run(coauthors.accept, invited, draft_id)
    for answer in (coauthors.accept, coauthors.decline):
        with pytest.raises(Conflict) as refused:
            run(answer, invited, draft_id)
        assert refused.value.code == "invitation_answered"


def test_only_the_invited_answers(anna, invited, draft_id):
    stranger = make_user("Ola")
    with pytest.raises(NotFound):
        run(coauthors.accept, stranger, draft_id)


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("nie-adres", "invalid"),
        ("", "invalid"),
        (None, "invalid"),
        ("ktos@example.pl", "no_such_account"),
    ],
)
def test_an_address_without_an_account_is_a_field_error(anna, draft_id, email, code):
    with pytest.raises(ValidationError) as refused:
        run(coauthors.invite, anna, draft_id, email)
    assert refused.value.code == code and "email" in refused.value.fields
    assert count(DraftAuthor) == 1


def test_no_one_is_invited_twice(anna, invited, draft_id):
    with pytest.raises(Conflict) as refused:
        run(coauthors.invite, anna, draft_id, invited.email)
    assert refused.value.code == "already_invited"
    with pytest.raises(Conflict) as refused:
        run(coauthors.invite, anna, draft_id, anna.email)
    assert refused.value.code == "already_author"
    assert told(invited, "coauthor_invited") == 1


def test_only_authors_invite(jan, draft_id):
    with pytest.raises(Forbidden):
        run(coauthors.invite, jan, draft_id, make_user("Ola").email)


def test_a_co_author_invites_too(coauthor, draft_id):
    ola = make_user("Ola")
    run(coauthors.invite, coauthor, draft_id, ola.email)
    assert places(draft_id)["Ola"] == ("coauthor", False)


def test_invitations_are_rate_limited(app, anna, draft_id):
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_INVITE="2/hour")
    for name in ("Ola", "Ela"):
        run(coauthors.invite, anna, draft_id, make_user(name).email)
    with pytest.raises(RateLimited):
        run(coauthors.invite, anna, draft_id, make_user("Iza").email)


def test_the_first_author_removes_a_co_author_who_is_told(anna, coauthor, draft_id):
    run(coauthors.remove, anna, draft_id, coauthor.id)
    assert places(draft_id) == {"Anna": ("author", True)}
    assert told(coauthor, "coauthor_removed") == 1
    with pytest.raises(Forbidden):
        save(coauthor, draft_id, title="Jana")


def test_the_first_author_withdraws_an_invitation(anna, invited, draft_id):
    run(coauthors.remove, anna, draft_id, invited.id)
    assert told(invited, "coauthor_removed") == 0
    with pytest.raises(NotFound):
        run(coauthors.accept, invited, draft_id)


def test_a_co_author_removes_no_one_but_their_own_invitations(anna, coauthor, draft_id):
    ola = make_user("Ola")
    run(coauthors.invite, anna, draft_id, ola.email)
    with pytest.raises(Forbidden) as refused:
        run(coauthors.remove, coauthor, draft_id, ola.id)
    assert refused.value.code == "not_first_author"
    with pytest.raises(Conflict) as refused:
        run(coauthors.remove, coauthor, draft_id, anna.id)
    assert refused.value.code == "first_author"
    ela = make_user("Ela")
    run(coauthors.invite, coauthor, draft_id, ela.email)
    run(coauthors.remove, coauthor, draft_id, ela.id)
    assert set(places(draft_id)) == {"Anna", "Jan", "Ola"}


def test_removing_someone_who_is_not_there_is_not_found(anna, jan, draft_id):
    with pytest.raises(NotFound):
        run(coauthors.remove, anna, draft_id, jan.id)


def test_a_co_author_leaves_and_the_first_author_cannot(anna, coauthor, draft_id):
    run(coauthors.leave, coauthor, draft_id)
    assert places(draft_id) == {"Anna": ("author", True)}
    with pytest.raises(Conflict) as refused:
        run(coauthors.leave, anna, draft_id)
    assert refused.value.code == "first_author"
    with pytest.raises(NotFound):
        run(coauthors.leave, coauthor, draft_id)


def test_a_co_author_may_leave_a_withdrawn_draft_but_not_be_removed_from_it(
    anna, coauthor, draft_id
):
    update(type(draft_of(draft_id)), draft_id, status="withdrawn")
    with pytest.raises(Conflict) as refused:
        run(coauthors.remove, anna, draft_id, coauthor.id)
    assert refused.value.code == "draft_closed"
    run(coauthors.leave, coauthor, draft_id)


def test_two_authors_inviting_the_same_person_at_once_make_one_invitation(
    monkeypatch, anna, invited, draft_id
):
    # As if this request checked before the other committed: the unique index decides.
    monkeypatch.setattr(coauthors, "place_of", lambda _user, _draft: None)
    with pytest.raises(Conflict) as refused:
        run(coauthors.invite, anna, draft_id, invited.email)
    assert refused.value.code == "already_invited"
    assert count(DraftAuthor) == 2 and told(invited, "coauthor_invited") == 1
