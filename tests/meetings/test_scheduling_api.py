"""The meetings API: scheduling in a room, changing and cancelling, signing up within the
capacity, and finding meetings by area, room and time. Every answer is checked against the
OpenAPI document (the `api` client)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forum.extensions import utcnow
from forum.meetings.models import Meeting, MeetingSignup
from forum.notifications.models import Notification
from tests.conftest import count, district, get, make_user, room_by_slug, room_of
from tests.meetings.conftest import schedule


def _body(start: datetime | None = None, **values) -> dict:
    start = start or utcnow() + timedelta(days=2)
    body = {
        "title": "Plac zabaw na Płaszowie",
        "description": "Co powinno stanąć na placu?",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1, minutes=30)).isoformat(),
        "video_url": "https://meet.example.org/plac",
        "capacity": 2,
        "agenda": [{"title": "Potrzeby", "planned_minutes": 45}],
    }
    body.update(values)
    return body


def test_an_ambassador_schedules_through_the_api(api, piotr):
    room = room_of("XIII")
    api.login(piotr)
    answer = api.post(f"/api/v1/rooms/{room.id}/meetings", json=_body())
    assert answer.status_code == 201, answer.get_json()
    data = answer.get_json()
    assert data["meeting"]["title"] == "Plac zabaw na Płaszowie"
    assert data["meeting"]["status"] == "upcoming" and data["meeting"]["capacity"] == 2
    assert data["can_edit"] and not data["signed_up"]
    assert data["ics_url"] == f"/meetings/{data['meeting']['id']}.ics"


def test_kraków_wall_clock_time_across_the_october_change(api, piotr):
    api.login(piotr)
    answer = api.post(
        f"/api/v1/rooms/{room_of('XIII').id}/meetings",
        json=_body(starts_at="2027-10-31T01:30", ends_at="2027-10-31T04:00"),
    )
    assert answer.status_code == 201, answer.get_json()
    meeting = answer.get_json()["meeting"]
    assert meeting["starts_at"] == "2027-10-30T23:30:00Z"  # CEST, +2
    assert meeting["ends_at"] == "2027-10-31T03:00:00Z"  # CET, +1


def test_refusals_are_clear_and_write_nothing(api, piotr, ola):
    room = room_of("XIII")
    api.login(ola)
    refused = api.post(f"/api/v1/rooms/{room.id}/meetings", json=_body())
    assert refused.status_code == 403
    api.login(make_user("Amb I", role="ambassador", scope="I"))
    assert api.post(f"/api/v1/rooms/{room.id}/meetings", json=_body()).status_code == 403
    api.login(piotr)
    start = utcnow() + timedelta(days=2)
    backwards = api.post(
        f"/api/v1/rooms/{room.id}/meetings",
        json=_body(start, ends_at=(start - timedelta(hours=1)).isoformat()),
    )
    assert backwards.status_code == 422
    assert "ends_at" in backwards.get_json()["error"]["fields"]
    nonsense = api.post(f"/api/v1/rooms/{room.id}/meetings", json=_body(starts_at="jutro"))
    assert nonsense.status_code == 422
    assert "starts_at" in nonsense.get_json()["error"]["fields"]
    assert count(Meeting) == 0
    assert api.post(f"/api/v1/rooms/{room.id}/meetings", json=_body(start)).status_code == 201
    overlap = api.post(
        f"/api/v1/rooms/{room.id}/meetings", json=_body(start + timedelta(minutes=30))
    )
    assert overlap.status_code == 409
    assert overlap.get_json()["error"]["code"] == "meeting_overlaps"
    assert count(Meeting) == 1


def test_signing_up_past_the_capacity_is_refused(api, piotr, ola):
    meeting = schedule(piotr, capacity=1)
    api.login(ola)
    answer = api.put(f"/api/v1/meetings/{meeting}/signup", json={})
    assert answer.status_code == 200 and answer.get_json()["signed_up"]
    assert answer.get_json()["meeting"]["signups"] == 1
    api.login(make_user("Kuba"))
    full = api.put(f"/api/v1/meetings/{meeting}/signup", json={})
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "meeting_full"
    assert count(MeetingSignup) == 1
    api.login(ola)
    gone = api.delete(f"/api/v1/meetings/{meeting}/signup")
    assert gone.status_code == 200 and not gone.get_json()["signed_up"]
    assert api.delete(f"/api/v1/meetings/{meeting}/signup").status_code == 404
    api.logout()
    assert api.put(f"/api/v1/meetings/{meeting}/signup", json={}).status_code == 401


def test_the_host_changes_and_cancels(api, piotr, ola, meeting):
    api.login(ola)
    api.put(f"/api/v1/meetings/{meeting}/signup", json={})
    body = _body(utcnow() + timedelta(days=5), title="Nowy termin")
    assert api.put(f"/api/v1/meetings/{meeting}", json=body).status_code == 403
    assert (
        api.post(f"/api/v1/meetings/{meeting}/cancellation", json={"reason": "x"}).status_code
        == 403
    )
    api.login(piotr)
    changed = api.put(f"/api/v1/meetings/{meeting}", json=body)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["meeting"]["title"] == "Nowy termin"
    assert [i["title"] for i in changed.get_json()["meeting"]["agenda"]] == ["Potrzeby"]
    assert count(Notification, Notification.kind == "meeting_changed") == 1
    lower = api.put(f"/api/v1/meetings/{meeting}", json={**body, "capacity": None})
    assert lower.status_code == 200
    empty = api.post(f"/api/v1/meetings/{meeting}/cancellation", json={"reason": ""})
    assert empty.status_code == 422
    cancelled = api.post(f"/api/v1/meetings/{meeting}/cancellation", json={"reason": "Brak sali"})
    assert cancelled.status_code == 200
    assert cancelled.get_json()["meeting"]["status"] == "cancelled"
    assert not cancelled.get_json()["can_edit"]
    again = api.post(f"/api/v1/meetings/{meeting}/cancellation", json={"reason": "x"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "meeting_cancelled"
    api.login(ola)
    late = api.put(f"/api/v1/meetings/{meeting}/signup", json={})
    assert late.status_code == 409


def test_capacity_cannot_go_below_those_signed_up(api, piotr, ola, meeting):
    api.login(ola)
    api.put(f"/api/v1/meetings/{meeting}/signup", json={})
    api.login(make_user("Kuba"))
    api.put(f"/api/v1/meetings/{meeting}/signup", json={})
    api.login(piotr)
    refused = api.put(f"/api/v1/meetings/{meeting}", json=_body(capacity=1))
    assert refused.status_code == 422 and "capacity" in refused.get_json()["error"]["fields"]
    assert get(Meeting, meeting).capacity is None


def test_an_ended_meeting_is_not_changed(api, piotr, ended_meeting):
    api.login(piotr)
    answer = api.put(f"/api/v1/meetings/{ended_meeting}", json=_body())
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "meeting_ended"


def test_moving_into_another_meeting_of_the_room_is_refused(api, piotr, meeting):
    first = get(Meeting, meeting)
    later = schedule(
        piotr,
        starts_at=first.ends_at.isoformat(),
        ends_at=(first.ends_at + timedelta(hours=1)).isoformat(),
    )
    api.login(piotr)
    answer = api.put(f"/api/v1/meetings/{later}", json=_body(first.starts_at))
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "meeting_overlaps"
    assert get(Meeting, later).starts_at == first.ends_at
    # Its own time is no overlap: a meeting may be saved where it is.
    same = api.put(
        f"/api/v1/meetings/{later}",
        json=_body(first.ends_at, ends_at=(first.ends_at + timedelta(hours=1)).isoformat()),
    )
    assert same.status_code == 200, same.get_json()


def test_finding_meetings_by_area_room_and_time(api, piotr, ended_meeting):
    upcoming = schedule(piotr, title="W dzielnicy")
    zablocie = room_by_slug("zablocie")
    api.login(piotr)
    start = utcnow() + timedelta(days=6)
    in_osiedle = api.post(
        f"/api/v1/rooms/{zablocie.id}/meetings", json=_body(start, title="Na Zabłociu")
    ).get_json()["meeting"]["id"]
    api.logout()

    def titles(**query) -> list[str]:
        answer = api.get("/api/v1/meetings", query_string=query)
        assert answer.status_code == 200
        return [m["title"] for m in answer.get_json()["meetings"]]

    assert titles() == ["W dzielnicy", "Na Zabłociu"]
    assert titles(area_id=district("XIII").id) == ["W dzielnicy", "Na Zabłociu"]
    assert titles(area_id=zablocie.area_id) == ["Na Zabłociu"]
    assert titles(area_id=district("I").id) == []
    assert titles(room_id=room_of("XIII").id) == ["W dzielnicy"]
    assert len(titles(when="past")) == 1
    assert len(titles(when="all")) == 3
    assert api.get("/api/v1/meetings", query_string={"when": "soon"}).status_code == 422
    assert api.get("/api/v1/meetings", query_string={"area_id": 999999}).status_code == 404
    one = api.get(f"/api/v1/meetings/{in_osiedle}")
    assert one.status_code == 200 and one.get_json()["meeting"]["room"]["id"] == zablocie.id
    assert not one.get_json()["can_sign_up"]  # a guest
    assert api.get("/api/v1/meetings/999999").status_code == 404
    assert upcoming


def test_times_with_an_offset_are_taken_as_written(api, piotr):
    api.login(piotr)
    start = datetime(2030, 1, 15, 17, 0, tzinfo=UTC)
    answer = api.post(
        f"/api/v1/rooms/{room_of('XIII').id}/meetings",
        json=_body(starts_at="2030-01-15T18:00+01:00", ends_at="2030-01-15T19:00+01:00"),
    )
    assert answer.get_json()["meeting"]["starts_at"] == start.isoformat().replace("+00:00", "Z")


def test_a_changed_title_is_held_to_the_threads_rules(api, piotr, meeting):
    api.login(piotr)
    short = api.put(f"/api/v1/meetings/{meeting}", json=_body(title="  ab "))
    assert short.status_code == 422 and "title" in short.get_json()["error"]["fields"]
    spaced = api.put(f"/api/v1/meetings/{meeting}", json=_body(title="  Plac   zabaw  "))
    assert spaced.status_code == 200
    assert get(Meeting, meeting).title == spaced.get_json()["meeting"]["title"]
