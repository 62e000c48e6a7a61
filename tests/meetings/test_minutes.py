"""After a meeting: the minutes (template, preview, publish once, edit), the threads and drafts
that came out of it, attendance, and the past meeting's page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from forum.areas.models import Room
from forum.discussion import services as discussion
from forum.drafts import services as drafts
from forum.errors import Conflict, Forbidden, NotFound, ValidationError
from forum.extensions import db
from forum.meetings import minutes
from forum.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingAttendance,
    MeetingOutcome,
    MeetingQuestion,
    MeetingSignup,
)
from forum.notifications.models import Notification
from forum.realtime.streams import last_seq, meeting_stream
from forum.transactions import transaction
from tests.conftest import actor, app_context, count, district, get, make_user, room_of, run, update
from tests.meetings.conftest import logged_in as logged_in_pl
from tests.meetings.conftest import schedule


@pytest.fixture(autouse=True)
def english(request):
    """Pages in English, so the tests read the source strings (Polish is the default)."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").set_cookie("lang", "en")


def logged_in(app, user):
    client = logged_in_pl(app, user)
    client.set_cookie("lang", "en")
    return client


def signed_up(meeting_id: int, *users) -> None:
    """Sign-ups made before the meeting (set down directly: the meeting has ended now)."""
    with app_context(), transaction():
        for user in users:
            db.session.add(MeetingSignup(meeting_id=meeting_id, user_id=user.id))
        db.session.get(Meeting, meeting_id).signup_count += len(users)


def present(meeting_id: int, *users) -> None:
    """Attendance as part B records it while the meeting runs."""
    with app_context(), transaction():
        for user in users:
            db.session.add(MeetingAttendance(meeting_id=meeting_id, user_id=user.id))


def asked(meeting_id: int, author, body: str, *, answered: bool, unit_code: str | None = None):
    """A question to the experts, as part B's service leaves it."""
    with app_context(), transaction():
        from forum.accounts.models import ExpertUnit

        unit = (
            db.session.scalars(db.select(ExpertUnit).where(ExpertUnit.code == unit_code)).one()
            if unit_code
            else None
        )
        meeting = db.session.get(Meeting, meeting_id)
        db.session.add(
            MeetingQuestion(
                meeting_id=meeting_id,
                author_id=author.id,
                unit=unit,
                body=body,
                created_at=meeting.starts_at + timedelta(minutes=30),
                answered_at=meeting.starts_at + timedelta(minutes=40) if answered else None,
            )
        )


def item_started(meeting_id: int, position: int, at: datetime) -> None:
    with app_context(), transaction():
        item = db.session.scalars(
            db.select(AgendaItem).where(
                AgendaItem.meeting_id == meeting_id, AgendaItem.position == position
            )
        ).one()
        item.started_at = at


def seq_of(meeting_id: int) -> int:
    with app_context():
        return last_seq(meeting_stream(meeting_id))


def minutes_notices(user) -> int:
    return count(
        Notification, Notification.user_id == user.id, Notification.kind == "meeting_minutes"
    )


def new_draft(user, title: str) -> int:
    with app_context(), transaction():
        area = db.session.get(type(district("XIII")), district("XIII").id)
        return drafts.start_draft(actor(user), area=area, content={"title": title}).id


# --- the minutes ---------------------------------------------------------------------------


def test_the_template_has_a_heading_per_item_and_the_questions(piotr, ola, ended_meeting):
    item_started(ended_meeting, 1, get(Meeting, ended_meeting).starts_at)
    asked(ended_meeting, ola, "Kiedy posadzicie drzewa?", answered=True, unit_code="ZZM")
    asked(ended_meeting, ola, "Czy będą ławki?", answered=False)
    with app_context(), force_locale("en"):
        meeting = minutes.access_minutes(actor(piotr), ended_meeting)
        source = minutes.minutes_template(meeting)
    headings = re.findall(r"^# (.+)$", source, re.MULTILINE)
    assert headings == [
        "1. Powitanie",
        "2. Potrzeby",
        "3. Pytania do ekspertów",
        "Questions to the experts",
    ]
    assert "Planned: 10 minutes; started at" in source
    assert "Planned: 50 minutes._" in source  # not reached: no start time
    assert "- Kiedy posadzicie drzewa? (ZZM; answered)" in source
    assert "- Czy będą ławki? (all experts; not answered)" in source


def test_publishing_tells_everyone_signed_up_or_present_once(piotr, ola, ewa, ended_meeting):
    kuba = make_user("Kuba")
    signed_up(ended_meeting, ola, kuba, piotr)
    present(ended_meeting, ola, ewa, piotr)
    seq = seq_of(ended_meeting)

    run(minutes.save_minutes, piotr, ended_meeting, "# Ustalenia\n\nSkwer: tak.", publish=False)
    assert get(Meeting, ended_meeting).minutes_published_at is None
    assert minutes_notices(ola) == 0

    run(minutes.save_minutes, piotr, ended_meeting, "# Ustalenia\n\nSkwer: tak.", publish=True)
    meeting = get(Meeting, ended_meeting)
    assert meeting.has_minutes
    assert "<h3>Ustalenia</h3>" in meeting.minutes_html
    assert [minutes_notices(u) for u in (ola, kuba, ewa, piotr)] == [1, 1, 1, 0]

    # Edited later, and published "again": stays published, nobody is told twice.
    run(
        minutes.save_minutes,
        piotr,
        ended_meeting,
        "# Ustalenia\n\nSkwer: tak, z ławkami.",
        publish=True,
    )
    again = get(Meeting, ended_meeting)
    assert again.minutes_published_at == meeting.minutes_published_at
    assert "z ławkami" in again.minutes_html
    run(minutes.save_minutes, piotr, ended_meeting, "Krótko.", publish=False)
    assert get(Meeting, ended_meeting).has_minutes
    assert [minutes_notices(u) for u in (ola, kuba, ewa, piotr)] == [1, 1, 1, 0]
    assert seq_of(ended_meeting) == seq + 4  # meeting_updated each time


def test_minutes_are_rendered_and_sanitized_as_posts_are(piotr, ended_meeting):
    source = "# Punkt\n\n<script>alert(1)</script>**ważne** [x](javascript:alert(1))"
    run(minutes.save_minutes, piotr, ended_meeting, source, publish=True)
    html = get(Meeting, ended_meeting).minutes_html
    assert "<script" not in html and "alert(1)" not in html and "javascript:" not in html
    assert "<h3>Punkt</h3>" in html and "<strong>ważne</strong>" in html


def test_empty_or_broken_minutes_are_refused_and_nothing_is_written(piotr, ended_meeting):
    for source in ("", "   \n ", "tekst\u202e", "x" * (minutes.MINUTES_MAX + 1)):
        with pytest.raises(ValidationError) as refused:
            run(minutes.save_minutes, piotr, ended_meeting, source, publish=True)
        assert "source" in refused.value.fields
    assert get(Meeting, ended_meeting).minutes_source == ""


def test_only_the_host_writes_minutes_and_only_once_it_ended(piotr, ola, meeting, ended_meeting):
    with pytest.raises(Conflict) as refused:
        run(minutes.save_minutes, piotr, meeting, "Za wcześnie.", publish=True)
    assert refused.value.code == "meeting_not_ended"
    with pytest.raises(Forbidden) as refused:
        run(minutes.save_minutes, ola, ended_meeting, "Nie moje.", publish=True)
    assert refused.value.code == "not_host"
    other = make_user("Amb I", role="ambassador", scope="I")
    with pytest.raises(Forbidden):
        run(minutes.save_minutes, other, ended_meeting, "Nie moje.", publish=True)
    admin = make_user("Admin", role="admin")
    run(minutes.save_minutes, admin, ended_meeting, "Koordynatorka pisze.", publish=True)
    assert get(Meeting, meeting).minutes_source == ""
    assert get(Meeting, ended_meeting).has_minutes


def test_a_cancelled_meeting_has_no_minutes(piotr, ended_meeting):
    update(Meeting, ended_meeting, cancelled_at=get(Meeting, ended_meeting).starts_at)
    with pytest.raises(Conflict) as refused:
        run(minutes.save_minutes, piotr, ended_meeting, "Nic.", publish=True)
    assert refused.value.code == "meeting_cancelled"


# --- outcomes ---------------------------------------------------------------------------------


def test_threads_and_drafts_are_linked_by_address_or_number(piotr, ola, ended_meeting):
    thread = run(discussion.create_thread, ola, room_of("XIII").id, "Ławki", "Gdzie ławki?")
    draft_id = new_draft(ola, "Ławki przy Lipowej")
    host = "forum.example"
    kind, target = minutes.reference(f"https://{host}/threads/{thread.id}#post-1", None, host)
    assert (kind, target) == ("thread", thread.id)
    run(minutes.link_outcome, piotr, ended_meeting, thread_id=target)
    kind, target = minutes.reference(str(draft_id), "draft", host)
    run(minutes.link_outcome, piotr, ended_meeting, draft_id=target)
    assert minutes.reference(f"/drafts/{draft_id}/edit", "thread", host) == ("draft", draft_id)

    with pytest.raises(Conflict) as refused:
        run(minutes.link_outcome, piotr, ended_meeting, thread_id=thread.id)
    assert refused.value.code == "outcome_linked"
    assert count(MeetingOutcome) == 2

    for address, kind, field in (
        ("https://elsewhere.example/threads/1", None, "address"),
        ("/rooms/1", None, "address"),
        ("javascript:alert(1)", None, "address"),
        ("12", None, "kind"),
        ("0", "thread", "address"),
        ("99999999999999999999", "thread", "address"),
        ("/threads/9999999999999999999", None, "address"),
    ):
        with pytest.raises(ValidationError) as refused:
            minutes.reference(address, kind, host)
        assert field in refused.value.fields, address


def test_a_posts_address_links_its_thread(piotr, ola, ended_meeting):
    """What a post's link looks like (/posts/<id>, where every link to a post now goes) names
    the post's thread; a post one may not read is not found, as a missing one is."""
    thread = run(discussion.create_thread, ola, room_of("XIII").id, "Ławki", "Gdzie ławki?")
    reply = run(discussion.create_reply, ola, thread.id, "Przy Lipowej.")
    host = "forum.example"
    assert minutes.reference(f"https://{host}/posts/{reply.id}", None, host) == ("post", reply.id)
    assert minutes.reference(f"/threads/{thread.id}?page=2#post-{reply.id}", None, host) == (
        "thread",
        thread.id,
    )
    outcome = run(minutes.link_outcome, piotr, ended_meeting, post_id=reply.id)
    assert outcome.thread_id == thread.id and outcome.draft_id is None

    someone = make_user("Kasia", home="I")
    hidden = run(discussion.create_thread, someone, room_of("I").id, "Zamknięty", "Tylko my.")
    hidden_reply = run(discussion.create_reply, someone, hidden.id, "Tylko dla członków.")
    update(Room, room_of("I").id, is_public=False)
    for post_id in (hidden_reply.id, 987654):
        with pytest.raises(NotFound) as refused:
            run(minutes.link_outcome, piotr, ended_meeting, post_id=post_id)
        assert refused.value.message == "Nie ma takiego wpisu."  # no such post
    assert count(MeetingOutcome) == 1


def test_an_outcome_must_be_readable_and_nothing_is_written_otherwise(piotr, ended_meeting):
    someone = make_user("Kasia", home="I")
    hidden = run(discussion.create_thread, someone, room_of("I").id, "Zamknięty", "Tylko dla nas.")
    update(Room, room_of("I").id, is_public=False)
    with pytest.raises(NotFound):
        run(minutes.link_outcome, piotr, ended_meeting, thread_id=hidden.id)
    with pytest.raises(NotFound):
        run(minutes.link_outcome, piotr, ended_meeting, draft_id=987654)
    assert count(MeetingOutcome) == 0


def test_unlinking_an_outcome(piotr, ola, ended_meeting):
    thread = run(discussion.create_thread, ola, room_of("XIII").id, "Ławki", "Gdzie ławki?")
    outcome = run(minutes.link_outcome, piotr, ended_meeting, thread_id=thread.id)
    with pytest.raises(Forbidden):
        run(minutes.unlink_outcome, ola, ended_meeting, outcome.id)
    with pytest.raises(NotFound):
        run(minutes.unlink_outcome, piotr, ended_meeting, outcome.id + 1)
    run(minutes.unlink_outcome, piotr, ended_meeting, outcome.id)
    assert count(MeetingOutcome) == 0


# --- attendance ---------------------------------------------------------------------------------


def test_attendance_by_name_for_the_host_and_moderators_only(piotr, ola, ewa, ended_meeting):
    signed_up(ended_meeting, ola)
    present(ended_meeting, ola, ewa)
    with app_context():
        _meeting, people = minutes.attendance(actor(piotr), ended_meeting)
        assert [u.display_name for u in people.signed_up] == ["Ola"]
        assert [u.display_name for u in people.present] == ["Ewa", "Ola"]
    with app_context(), pytest.raises(Forbidden):
        minutes.attendance(actor(ola), ended_meeting)
    with app_context():
        minutes.attendance(actor(make_user("Admin", role="admin")), ended_meeting)


# --- pages --------------------------------------------------------------------------------------


def test_the_host_writes_previews_and_publishes_from_the_page(app, piotr, ola, ended_meeting):
    signed_up(ended_meeting, ola)
    host = logged_in(app, piotr)
    page = host.get(f"/meetings/{ended_meeting}/minutes")
    assert page.status_code == 200
    assert "# 1. Powitanie" in page.get_data(as_text=True)

    preview = host.post(
        f"/meetings/{ended_meeting}/minutes/preview", data={"source": "# Wnioski\n\n*Skwer*"}
    )
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "<h3>Wnioski</h3>" in text and "<em>Skwer</em>" in text
    assert get(Meeting, ended_meeting).minutes_source == ""  # a preview saves nothing

    refused = host.post(
        f"/meetings/{ended_meeting}/minutes", data={"source": " ", "action": "publish"}
    )
    assert refused.status_code == 422
    assert "Write the minutes first" in refused.get_data(as_text=True)

    done = host.post(
        f"/meetings/{ended_meeting}/minutes",
        data={"source": "# Wnioski\n\nSkwer przy Lipowej.", "action": "publish"},
    )
    assert done.status_code == 302
    assert get(Meeting, ended_meeting).has_minutes
    assert minutes_notices(ola) == 1

    page = host.get(f"/meetings/{ended_meeting}/minutes")
    assert ">Save<" in page.get_data(as_text=True)  # published: no second "publish"


def test_the_minutes_page_is_the_hosts(app, piotr, ola, meeting, ended_meeting, client):
    assert logged_in(app, ola).get(f"/meetings/{ended_meeting}/minutes").status_code == 403
    assert logged_in(app, piotr).get(f"/meetings/{meeting}/minutes").status_code == 409
    assert client.get(f"/meetings/{ended_meeting}/minutes").status_code == 302  # log in


def test_linking_from_the_page(app, piotr, ola, ended_meeting):
    thread = run(discussion.create_thread, ola, room_of("XIII").id, "Ławki", "Gdzie ławki?")
    host = logged_in(app, piotr)
    done = host.post(
        f"/meetings/{ended_meeting}/outcomes",
        data={"outcome-address": f"http://localhost/threads/{thread.id}", "outcome-kind": "thread"},
    )
    assert done.status_code == 302
    again = host.post(
        f"/meetings/{ended_meeting}/outcomes",
        data={"outcome-address": str(thread.id), "outcome-kind": "thread"},
    )
    assert again.status_code == 422
    assert "linked to the meeting already" in again.get_data(as_text=True)
    missing = host.post(
        f"/meetings/{ended_meeting}/outcomes",
        data={"outcome-address": "/drafts/98765", "outcome-kind": "thread"},
    )
    assert missing.status_code == 422
    assert "There is no such draft." in missing.get_data(as_text=True)
    assert count(MeetingOutcome) == 1

    outcome_id = get_outcome_id(ended_meeting)
    confirm = host.get(f"/meetings/{ended_meeting}/outcomes/{outcome_id}/remove")
    assert confirm.status_code == 200 and "Ławki" in confirm.get_data(as_text=True)
    assert count(MeetingOutcome) == 1
    assert host.post(f"/meetings/{ended_meeting}/outcomes/{outcome_id}/remove").status_code == 302
    assert count(MeetingOutcome) == 0


def get_outcome_id(meeting_id: int) -> int:
    with app_context():
        return db.session.scalars(
            db.select(MeetingOutcome.id).where(MeetingOutcome.meeting_id == meeting_id)
        ).one()


def test_a_past_meetings_page_shows_what_it_left_behind(
    app, piotr, ola, ewa, ended_meeting, client
):
    signed_up(ended_meeting, ola)
    present(ended_meeting, ola, ewa)
    asked(ended_meeting, ola, "Kiedy posadzicie drzewa?", answered=True, unit_code="ZZM")
    thread = run(discussion.create_thread, ola, room_of("XIII").id, "Ławki", "Gdzie ławki?")
    draft_id = new_draft(ola, "Ławki przy Lipowej")
    run(minutes.link_outcome, piotr, ended_meeting, thread_id=thread.id)
    run(minutes.link_outcome, piotr, ended_meeting, draft_id=draft_id)

    before = client.get(f"/meetings/{ended_meeting}").get_data(as_text=True)
    assert "The host has not published the minutes yet." in before
    run(minutes.save_minutes, piotr, ended_meeting, "# Wnioski\n\nSkwer: tak.", publish=False)
    assert "Skwer: tak." not in client.get(f"/meetings/{ended_meeting}").get_data(as_text=True)
    assert "Skwer: tak." in logged_in(app, piotr).get(f"/meetings/{ended_meeting}").get_data(
        as_text=True
    )
    run(minutes.save_minutes, piotr, ended_meeting, "# Wnioski\n\nSkwer: tak.", publish=True)

    page = client.get(f"/meetings/{ended_meeting}").get_data(as_text=True)
    assert "<h3>Wnioski</h3>" in page
    assert "Ławki</a>" in page and "Ławki przy Lipowej</a>" in page
    assert "(a draft)" in page  # the draft's status
    assert "1 person signed up" in page and "2 people were present" in page
    assert "Kiedy posadzicie drzewa?" in page and "to ZZM" in page
    assert "not reached" in page  # the agenda as it ran
    assert "Who signed up and who was present" not in page  # names: for the host
    assert "Write the minutes" not in page and "Edit the minutes" not in page
    host_page = logged_in(app, piotr).get(f"/meetings/{ended_meeting}").get_data(as_text=True)
    assert "Who signed up and who was present" in host_page and "Edit the minutes" in host_page

    names = logged_in(app, piotr).get(f"/meetings/{ended_meeting}/attendance")
    assert names.status_code == 200
    assert "Signed up: 1 person" in names.get_data(as_text=True)
    assert "Present: 2 people" in names.get_data(as_text=True)
    assert logged_in(app, ola).get(f"/meetings/{ended_meeting}/attendance").status_code == 403


def test_times_of_a_meeting_on_the_last_sunday_of_october(app, piotr):
    # 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET; 02:30 comes twice.
    meeting_id = schedule(
        piotr,
        now=datetime(2026, 10, 1, tzinfo=UTC),
        starts_at="2026-10-25T01:30",
        ends_at="2026-10-25T04:00",
    )
    item_started(meeting_id, 1, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 02:30 CEST
    item_started(meeting_id, 2, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 02:30 CET
    item_started(meeting_id, 3, datetime(2026, 10, 25, 2, 15, tzinfo=UTC))  # 03:15 CET
    with app_context(), force_locale("en"):
        source = minutes.minutes_template(minutes.access_minutes(actor(piotr), meeting_id))
    assert re.findall(r"started at (\d\d:\d\d)", source) == ["02:30", "02:30", "03:15"]
    page = logged_in(app, piotr).get(f"/meetings/{meeting_id}").get_data(as_text=True)
    shown = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', page.split('id="agenda-ran')[1])
    assert [(iso[11:16], text[-5:]) for iso, text in shown[:3]] == [
        ("00:30", "02:30"),
        ("01:30", "02:30"),
        ("02:15", "03:15"),
    ]


def test_the_template_is_in_the_hosts_language(app, piotr, ended_meeting):
    page = logged_in_pl(app, piotr).get(f"/meetings/{ended_meeting}/minutes")
    text = page.get_data(as_text=True)
    assert "_Plan: 10 minut._" in text and "_Plan: 50 minut._" in text
    assert "Co powiedziano i co ustalono." in text


def test_a_meeting_without_an_agenda_starts_from_a_summary(piotr):
    start = datetime.now(UTC) - timedelta(hours=3)
    meeting_id = schedule(
        piotr,
        now=start - timedelta(days=1),
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=1)).isoformat(),
        agenda=[],
    )
    with app_context(), force_locale("en"):
        source = minutes.minutes_template(minutes.access_minutes(actor(piotr), meeting_id))
    assert source == "# Summary\n\nWhat was said and decided.\n"
