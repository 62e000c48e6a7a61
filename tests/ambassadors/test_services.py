"""Applying, withdrawing and deciding applications; bios."""

import threading

import pytest

from forum.accounts.models import RoleGrant, User
from forum.admin.models import AuditEntry
from forum.ambassadors import services
from forum.ambassadors.models import AmbassadorApplication
from forum.areas.models import Area
from forum.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationError
from forum.extensions import db
from forum.notifications.models import Notification
from forum.transactions import transaction
from tests.ambassadors.conftest import CONTACT, MOTIVATION, podgorze_id, zablocie_id
from tests.conftest import GUEST, actor, app_context, count, get, make_user, run


def test_a_resident_applies_for_an_osiedle(anna):
    application = run(services.apply, anna, zablocie_id(), f"  {MOTIVATION}\r\n", f" {CONTACT} ")
    stored = get(AmbassadorApplication, application.id)
    assert stored.status == "pending" and stored.user_id == anna.id
    assert stored.motivation == MOTIVATION and stored.contact == CONTACT


@pytest.mark.parametrize(
    ("motivation", "contact", "fields"),
    [
        ("za krótko", CONTACT, {"motivation"}),
        ("x" * 2001, CONTACT, {"motivation"}),
        (MOTIVATION, "ab", {"contact"}),
        (MOTIVATION, "x" * 201, {"contact"}),
        (MOTIVATION, "tel.\n600", {"contact"}),  # one line
        (MOTIVATION + "\u202e", CONTACT, {"motivation"}),  # a bidi override
        ("", "", {"motivation", "contact"}),
    ],
)
def test_bad_input_names_each_field(anna, motivation, contact, fields):
    with pytest.raises(ValidationError) as refused:
        run(services.apply, anna, zablocie_id(), motivation, contact)
    assert set(refused.value.fields) == fields
    assert count(AmbassadorApplication) == 0


def test_one_pending_application_per_person_and_area(anna):
    run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    with pytest.raises(Conflict) as refused:
        run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    assert refused.value.code == "application_pending"
    run(services.apply, anna, podgorze_id(), MOTIVATION, CONTACT)  # another area is fine
    assert count(AmbassadorApplication) == 2


def test_after_a_withdrawal_one_may_apply_again(anna):
    first = run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    run(services.withdraw, anna, first.id)
    assert get(AmbassadorApplication, first.id).status == "withdrawn"
    run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    with pytest.raises(Conflict) as again:
        run(services.withdraw, anna, first.id)
    assert again.value.code == "application_decided"


def test_the_database_refuses_a_second_pending_row_even_in_parallel(file_app, monkeypatch):
    """Both requests pass the service's check before either writes: the partial unique index
    lets one row in, and the other gets a clear 409, not a 500."""
    anna = make_user("Anna")
    area_id = zablocie_id()
    both_checked = threading.Barrier(2, timeout=10)
    outcomes = []
    check = services.has_pending

    def check_then_wait(user_id, area_id):
        found = check(user_id, area_id)
        both_checked.wait()
        return found

    monkeypatch.setattr(services, "has_pending", check_then_wait)

    def apply_once():
        try:
            with file_app.app_context(), transaction():
                services.apply(actor(anna), area_id, MOTIVATION, CONTACT)
            outcomes.append("created")
        except Conflict as error:
            outcomes.append(error.code)
        except Exception as error:  # noqa: BLE001 (reported below)
            outcomes.append(repr(error))

    workers = [threading.Thread(target=apply_once) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(outcomes) == ["application_pending", "created"]
    assert count(AmbassadorApplication) == 1


def test_who_may_apply(anna, piotr):
    with pytest.raises(NotAuthenticated):
        run(services.apply, GUEST, zablocie_id(), MOTIVATION, CONTACT)
    with pytest.raises(Conflict) as already:  # Piotr serves XIII, so its osiedla too
        run(services.apply, piotr, zablocie_id(), MOTIVATION, CONTACT)
    assert already.value.code == "already_ambassador"
    with app_context():
        city_id = db.session.scalars(db.select(Area.id).where(Area.kind == "city")).one()
    with pytest.raises(NotFound):
        run(services.apply, anna, city_id, MOTIVATION, CONTACT)
    with pytest.raises(NotFound):
        run(services.apply, anna, 987654, MOTIVATION, CONTACT)


def test_only_the_applicant_may_withdraw(anna, jan):
    application = run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    with pytest.raises(NotFound):
        run(services.withdraw, jan, application.id)
    with pytest.raises(NotAuthenticated):
        run(services.withdraw, GUEST, application.id)


def test_approval_makes_an_ambassador_tells_them_and_is_audited(anna, admin):
    application = run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    run(services.approve, admin, application.id, "Witamy w zespole!")
    with app_context():
        stored = db.session.get(AmbassadorApplication, application.id)
        assert (stored.status, stored.decided_by_id) == ("approved", admin.id)
        assert stored.decision_message == "Witamy w zespole!"
        user = db.session.get(User, anna.id)
        assert user.is_ambassador_for(db.session.get(Area, zablocie_id()))
        kinds = [n.kind for n in db.session.scalars(db.select(Notification))]
        assert kinds == ["application_approved"]  # not also "ambassador_appointed"
        note = db.session.scalars(db.select(Notification)).one()
        assert (note.area_id, note.message) == (zablocie_id(), "Witamy w zespole!")
        audit = [(e.action, e.target) for e in db.session.scalars(db.select(AuditEntry))]
        assert ("application_approved", f"application:{application.id}") in audit
        assert ("role_granted", f"user:{anna.id}") in audit
    with pytest.raises(Conflict) as again:
        run(services.approve, admin, application.id)
    assert again.value.code == "application_decided"


def test_rejection_needs_a_message_and_tells_the_applicant(anna, admin):
    application = run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    for message in ("", "  ", "ok", "x" * 1001):
        with pytest.raises(ValidationError) as refused:
            run(services.reject, admin, application.id, message)
        assert set(refused.value.fields) == {"message"}
    run(services.reject, admin, application.id, "Prosimy najpierw o udział w spotkaniu.")
    with app_context():
        assert db.session.get(AmbassadorApplication, application.id).status == "rejected"
        note = db.session.scalars(db.select(Notification)).one()
        assert (note.kind, note.message) == (
            "application_rejected",
            "Prosimy najpierw o udział w spotkaniu.",
        )
        assert count(RoleGrant, RoleGrant.user_id == anna.id) == 0
        assert db.session.scalars(db.select(AuditEntry.action)).all() == ["application_rejected"]
    with pytest.raises(Conflict):
        run(services.reject, admin, application.id, "Jeszcze raz nie.")


def test_only_admins_decide(anna, piotr):
    application = run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    with pytest.raises(Forbidden):
        run(services.approve, piotr, application.id)
    with pytest.raises(Forbidden):
        run(services.reject, anna, application.id, "Nie ma mowy.")
    with pytest.raises(NotAuthenticated):
        run(services.applications_for_review, GUEST)
    assert get(AmbassadorApplication, application.id).status == "pending"


def test_review_lists_pending_first(anna, jan, admin):
    first = run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    second = run(services.apply, jan, zablocie_id(), MOTIVATION, CONTACT)
    third = run(services.apply, anna, podgorze_id(), MOTIVATION, CONTACT)
    run(services.reject, admin, first.id, "Nie tym razem.")
    listed = [a.id for a in run(services.applications_for_review, admin).items]
    assert listed == [second.id, third.id, first.id]
    pending = run(services.applications_for_review, admin, "pending")
    assert [a.id for a in pending.items] == [second.id, third.id]


def test_a_bio_is_cleaned_and_limited(anna):
    run(services.update_bio, anna, "  Lubię drzewa.\r\nI rowery.  ")
    assert get(User, anna.id).bio == "Lubię drzewa.\nI rowery."
    with pytest.raises(ValidationError):
        run(services.update_bio, anna, "x" * 501)
    with pytest.raises(ValidationError):
        run(services.update_bio, anna, "zły\x00znak")
    run(services.update_bio, anna, "")
    assert get(User, anna.id).bio == ""
    with pytest.raises(NotAuthenticated):
        run(services.update_bio, GUEST, "gość")


@pytest.fixture
def file_app(tmp_path):
    """The app on a SQLite file: separate connections really are separate (and concurrent)."""
    from forum import create_app
    from forum.areas.services import seed_reference_data
    from tests import conftest

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'forum.db'}"}, config_name="testing"
    )
    previous, conftest._app = conftest._app, app
    with app.app_context(), transaction():
        db.create_all()
        seed_reference_data()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    conftest._app = previous
