"""Supporting a draft: one per person, district residents counted, others shown apart."""

from __future__ import annotations

import pytest

from forum.drafts.models import Draft
from forum.errors import Conflict, NotAuthenticated, NotFound
from forum.extensions import db
from forum.realtime.streams import draft_stream, last_seq
from forum.supports import services
from forum.supports.models import DISTRICT_SUPPORTS_NEEDED, Support
from tests.conftest import GUEST, app_context, count, make_user, run, update
from tests.supports.conftest import new_draft


def support(user, draft_id):
    return run(lambda who: services.support(who, db.session.get(Draft, draft_id)), user)


def withdraw(user, draft_id):
    return run(lambda who: services.withdraw(who, db.session.get(Draft, draft_id)), user)


def tally(draft_id) -> services.Tally:
    with app_context():
        return services.tally(db.session.get(Draft, draft_id))


def test_a_district_resident_counts_toward_the_fifteen(district_draft):
    row = support(make_user("Ola", home="XIII"), district_draft)
    assert row.counts is True
    assert tally(district_draft) == services.Tally(counted=1, others=0, needed=15)


def test_a_resident_of_another_district_is_shown_apart(district_draft):
    row = support(make_user("Kuba", home="I"), district_draft)
    assert row.counts is False
    assert tally(district_draft) == services.Tally(counted=0, others=1, needed=15)


def test_an_osiedle_draft_counts_its_districts_residents(author):
    draft_id = new_draft(author, "zablocie")
    assert support(make_user("Ola", home="XIII"), draft_id).counts is True
    assert support(make_user("Kuba", home="XII"), draft_id).counts is False


def test_anyone_counts_for_a_city_wide_draft(city_draft):
    support(make_user("Kuba", home="I"), city_draft)
    support(make_user("Ola", home="XIII"), city_draft)
    assert tally(city_draft) == services.Tally(counted=2, others=0, needed=0)


def test_fifteen_residents_complete_the_list(district_draft):
    for number in range(DISTRICT_SUPPORTS_NEEDED):
        support(make_user(f"Sąsiad {number}"), district_draft)
    support(make_user("Gość", home="II"), district_draft)
    result = tally(district_draft)
    assert (result.counted, result.others, result.reached) == (15, 1, True)


def test_supporting_twice_is_refused_and_changes_nothing(district_draft):
    ola = make_user("Ola")
    support(ola, district_draft)
    with pytest.raises(Conflict) as refused:
        support(ola, district_draft)
    assert refused.value.code == "already_supported"
    assert count(Support) == 1


def test_a_race_past_the_check_is_refused_by_the_constraint(district_draft, monkeypatch):
    """Two requests of one person at once both find no support yet: the database refuses the
    second insert, and the person gets the same answer as for supporting twice."""
    ola = make_user("Ola")
    support(ola, district_draft)
    monkeypatch.setattr(services, "own_support", lambda user, draft: None)
    with pytest.raises(Conflict) as refused:
        support(ola, district_draft)
    assert refused.value.code == "already_supported"
    assert count(Support) == 1


def test_the_counting_is_fixed_when_signing(district_draft):
    """Moving house later does not change a support already given (BO's list is signed then)."""
    from forum.accounts.models import User
    from tests.conftest import district

    ola = make_user("Ola", home="I")
    support(ola, district_draft)
    update(User, ola.id, home_area_id=district("XIII").id)
    assert tally(district_draft).others == 1


def test_withdrawing_removes_the_support(district_draft):
    ola = make_user("Ola")
    support(ola, district_draft)
    withdraw(ola, district_draft)
    assert count(Support) == 0
    support(ola, district_draft)  # and it may be given again
    assert count(Support) == 1


def test_withdrawing_without_a_support_is_not_found(district_draft):
    with pytest.raises(NotFound) as refused:
        withdraw(make_user("Ola"), district_draft)
    assert refused.value.code == "not_supported"


def test_a_guest_is_asked_to_log_in(district_draft):
    with pytest.raises(NotAuthenticated):
        support(GUEST, district_draft)
    with pytest.raises(NotAuthenticated):
        withdraw(GUEST, district_draft)


def test_a_withdrawn_draft_takes_no_supports(district_draft):
    update(Draft, district_draft, status="withdrawn")
    with pytest.raises(Conflict) as refused:
        support(make_user("Ola"), district_draft)
    assert refused.value.code == "draft_withdrawn"
    assert count(Support) == 0


def test_a_support_publishes_draft_updated_on_the_drafts_stream(district_draft):
    def seq():
        with app_context():
            return last_seq(draft_stream(district_draft))

    before = seq()
    support(make_user("Ola"), district_draft)
    assert seq() == before + 1


def test_the_box_tells_a_viewer_what_their_support_would_do(district_draft):
    outsider = make_user("Kuba", home="I")
    with app_context():
        draft = db.session.get(Draft, district_draft)
        from forum.accounts.services import load_user

        box = services.support_box(load_user(outsider.id), draft)
        assert (box.may_support, box.would_count, box.mine) == (True, False, None)
        assert box.district.number == "XIII"
        guest_box = services.support_box(GUEST, draft)
        assert (guest_box.may_support, guest_box.would_count) == (False, False)


def test_the_demo_draft_has_supports_counted_and_apart(app):
    from forum.demo import seed_demo_data
    from forum.transactions import transaction

    with app_context(), transaction():
        seed_demo_data()
    with app_context():
        draft = db.session.scalar(db.select(Draft).where(Draft.title.startswith("Stoły do gry")))
        assert services.tally(draft) == services.Tally(counted=4, others=1, needed=15)
        from forum.drafts.rules import missing

        assert missing(draft) == {}
