"""The area page, the application form, the profile's bio and applications, the review page."""

import pytest

from forum.accounts.models import User
from forum.ambassadors import services
from forum.ambassadors.models import AmbassadorApplication
from forum.notifications.models import Notification
from tests.ambassadors.conftest import CONTACT, MOTIVATION, podgorze_id, zablocie_id
from tests.conftest import app_context, count, get, make_user, room_by_slug, room_of, run, update


def test_a_district_page_lists_its_rooms_osiedla_and_ambassadors(client, piotr):
    page = client.get(f"/areas/{podgorze_id()}").get_data(as_text=True)
    assert "<h1>XIII Podgórze</h1>" in page
    assert "Piotr" in page and "Społecznik z Podgórza." in page
    assert f'href="/rooms/{room_of("XIII").id}"' in page
    assert f'href="/areas/{zablocie_id()}"' in page  # an osiedle
    assert "/apply" in page  # a guest is offered to log in and apply


def test_an_osiedle_page_shows_its_own_and_its_districts_ambassadors(client, piotr):
    own = make_user("Zofia")
    run(services.update_bio, own, "Zabłocie to mój dom.")
    admin = make_user("Admin", role="admin")
    application = run(services.apply, own, zablocie_id(), MOTIVATION, CONTACT)
    run(services.approve, admin, application.id)
    page = client.get(f"/areas/{zablocie_id()}").get_data(as_text=True)
    own_part, district_part = page.split('id="district-ambassadors-heading"')
    assert "Zofia" in own_part and "Zabłocie to mój dom." in own_part
    assert "Piotr" in district_part and "Społecznik z Podgórza." in district_part
    assert "Piotr" not in own_part.split('id="ambassadors-heading"')[1]
    assert f'href="/areas/{podgorze_id()}"' in page  # the parent, in the breadcrumbs
    assert f'href="/rooms/{room_by_slug("zablocie").id}"' in page


def test_a_bio_is_shown_escaped(client, anna, auth):
    update(User, make_user("Piotr", role="ambassador", scope="XIII").id, bio="<script>x()</script>")
    page = client.get(f"/areas/{podgorze_id()}").get_data(as_text=True)
    assert "<script>x()</script>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page


def test_a_restricted_room_is_not_listed_for_a_resident(client, anna, auth):
    update(type(room_of("XIII")), room_of("XIII").id, is_public=False)
    auth.login(anna)
    page = client.get(f"/areas/{podgorze_id()}").get_data(as_text=True)
    assert f'href="/rooms/{room_of("XIII").id}"' not in page


def test_a_missing_area_is_404(client):
    assert client.get("/areas/987654").status_code == 404


def test_home_and_room_pages_link_to_area_pages(client):
    assert f'href="/areas/{podgorze_id()}"' in client.get("/").get_data(as_text=True)
    room = client.get(f"/rooms/{room_by_slug('zablocie').id}").get_data(as_text=True)
    assert f'href="/areas/{zablocie_id()}"' in room and f'href="/areas/{podgorze_id()}"' in room


def test_a_resident_sees_the_apply_button_an_ambassador_does_not(client, auth, anna, piotr):
    auth.login(anna)
    assert "Apply to be an ambassador" in _en(client, f"/areas/{zablocie_id()}")
    auth.logout()
    auth.login(piotr)
    assert "Apply to be an ambassador" not in _en(client, f"/areas/{zablocie_id()}")
    assert client.get(f"/areas/{zablocie_id()}/apply").status_code == 409


def _en(client, path):
    client.get("/lang/en")
    return client.get(path).get_data(as_text=True)


def test_a_guest_is_sent_to_log_in(client):
    response = client.get(f"/areas/{zablocie_id()}/apply")
    assert response.status_code == 302 and "/login" in response.location
    response = client.post(f"/areas/{zablocie_id()}/apply", data={})
    assert response.status_code == 302 and "/login" in response.location
    assert client.get("/admin/applications").status_code == 302


def test_apply_through_the_form(client, auth, anna):
    auth.login(anna)
    assert client.get(f"/areas/{zablocie_id()}/apply").status_code == 200
    response = client.post(
        f"/areas/{zablocie_id()}/apply", data={"motivation": "krótko", "contact": CONTACT}
    )
    assert response.status_code == 422 and 'aria-invalid="true"' in response.get_data(True)
    assert count(AmbassadorApplication) == 0
    data = {"motivation": MOTIVATION, "contact": CONTACT}
    response = client.post(f"/areas/{zablocie_id()}/apply", data=data)
    assert response.status_code == 302 and response.location.endswith(f"/users/{anna.id}")
    again = client.post(f"/areas/{zablocie_id()}/apply", data=data)
    assert again.status_code == 409
    form_again = _en(client, f"/areas/{zablocie_id()}/apply")
    assert "waiting for the coordinators' decision" in form_again
    assert 'name="motivation"' not in form_again
    assert count(AmbassadorApplication) == 1
    profile = _en(client, f"/users/{anna.id}")
    assert "waiting for a decision" in profile and "Zabłocie" in profile


def test_withdraw_with_a_confirmation_page(client, auth, anna, jan):
    application = run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    auth.login(jan)
    assert client.get(f"/applications/{application.id}/withdraw").status_code == 404
    auth.logout()
    auth.login(anna)
    confirm = client.get(f"/applications/{application.id}/withdraw")
    assert confirm.status_code == 200 and '<form method="post">' in confirm.get_data(True)
    assert get(AmbassadorApplication, application.id).status == "pending"
    assert client.post(f"/applications/{application.id}/withdraw").status_code == 302
    assert get(AmbassadorApplication, application.id).status == "withdrawn"
    assert client.post(f"/applications/{application.id}/withdraw").status_code == 409


def test_the_bio_form_on_ones_profile(client, auth, anna, jan):
    auth.login(anna)
    assert 'name="bio"' in client.get(f"/users/{anna.id}").get_data(True)
    assert 'name="bio"' not in client.get(f"/users/{jan.id}").get_data(True)
    response = client.post("/profile/bio", data={"bio": "x" * 501})
    assert response.status_code == 422 and 'aria-invalid="true"' in response.get_data(True)
    assert client.post("/profile/bio", data={"bio": "<b>Drzewa</b>"}).status_code == 302
    assert get(User, anna.id).bio == "<b>Drzewa</b>"
    public = client.get(f"/users/{anna.id}").get_data(True)
    assert "&lt;b&gt;Drzewa&lt;/b&gt;" in public


def test_a_guest_cannot_set_a_bio(client):
    response = client.post("/profile/bio", data={"bio": "Gość"})
    assert response.status_code == 302 and "/login" in response.location


def test_the_review_page_is_for_admins(client, auth, anna, piotr):
    auth.login(piotr)
    assert client.get("/admin/applications").status_code == 403
    application = run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    response = client.post(f"/admin/applications/{application.id}/approve", data={})
    assert response.status_code == 403
    assert get(AmbassadorApplication, application.id).status == "pending"


def test_an_admin_reviews_approves_and_the_applicant_follows_the_notification(
    client, auth, anna, jan, app
):
    admin = make_user("Admin", role="admin")
    first = run(services.apply, anna, zablocie_id(), MOTIVATION, "anna@zablocie.pl")
    second = run(services.apply, jan, podgorze_id(), MOTIVATION, CONTACT)
    auth.login(admin)
    page = client.get("/admin/applications").get_data(True)
    assert MOTIVATION in page and "anna@zablocie.pl" in page
    assert f'id="approve-{first.id}-message"' in page and f'id="reject-{second.id}-message"' in page
    refused = client.post(f"/admin/applications/{second.id}/reject", data={"message": " "})
    assert refused.status_code == 422
    assert f'id="reject-{second.id}-message-error"' in refused.get_data(True)
    assert get(AmbassadorApplication, second.id).status == "pending"
    response = client.post(f"/admin/applications/{first.id}/approve", data={"message": "Witamy!"})
    assert response.status_code == 302
    again = client.post(f"/admin/applications/{first.id}/approve", data={"message": ""})
    assert again.status_code == 409
    assert (
        client.post(
            f"/admin/applications/{second.id}/reject", data={"message": "Nie w tym roku."}
        ).status_code
        == 302
    )

    applicant = app.test_client()
    from tests.conftest import PASSWORD

    applicant.post("/login", data={"email": anna.email, "password": PASSWORD})
    with app_context():
        from forum.extensions import db

        note = db.session.scalars(
            db.select(Notification).where(Notification.user_id == anna.id)
        ).one()
    opened = applicant.get(f"/notifications/{note.id}")
    assert opened.status_code == 302 and opened.location.endswith(f"/areas/{zablocie_id()}")
    assert "Anna" in applicant.get(f"/areas/{zablocie_id()}").get_data(True)


@pytest.mark.parametrize("path", ["/admin/applications"])
def test_the_review_page_renders_with_nothing_to_review(client, auth, path):
    auth.login(make_user("Admin", role="admin"))
    assert client.get(path).status_code == 200
