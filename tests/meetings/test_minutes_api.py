"""The API after a meeting: its record, the minutes, outcomes and attendance; every answer is
checked against the OpenAPI document."""

from __future__ import annotations

from forum.discussion import services as discussion
from forum.meetings.models import Meeting, MeetingOutcome
from forum.notifications.models import Notification
from tests.conftest import count, get, make_user, room_of, run
from tests.meetings.test_minutes import asked, new_draft, present, signed_up


def test_the_host_writes_and_publishes_the_minutes(api, piotr, ola, ended_meeting):
    signed_up(ended_meeting, ola)
    asked(ended_meeting, ola, "Kiedy?", answered=False)
    api.login(piotr)
    template = api.get(f"/api/v1/meetings/{ended_meeting}/minutes/template")
    assert template.status_code == 200
    assert "# 1. Powitanie" in template.json["source"] and "Kiedy?" in template.json["source"]

    preview = api.post(
        f"/api/v1/meetings/{ended_meeting}/minutes/preview", json={"source": "# A\n\n**b**"}
    )
    assert preview.status_code == 200
    assert preview.json["html"] == "<h3>A</h3>\n<p><strong>b</strong></p>"

    saved = api.put(f"/api/v1/meetings/{ended_meeting}/minutes", json={"source": "Szkic."})
    assert saved.status_code == 200
    assert saved.json["published"] is False and saved.json["source"] == "Szkic."
    assert saved.json["can_write"] is True

    published = api.put(
        f"/api/v1/meetings/{ended_meeting}/minutes",
        json={"source": "# Wnioski\n\nSkwer.", "publish": True},
    )
    assert published.status_code == 200
    assert published.json["published"] is True and published.json["published_at"]
    assert published.json["signed_up"] == 1
    assert count(Notification, Notification.kind == "meeting_minutes") == 1

    api.logout()
    api.login(ola)
    record = api.get(f"/api/v1/meetings/{ended_meeting}/record")
    assert record.status_code == 200
    assert record.json["html"] == "<h3>Wnioski</h3>\n<p>Skwer.</p>"
    assert record.json["can_write"] is False
    assert [q["body"] for q in record.json["questions"]] == ["Kiedy?"]
    assert [item["title"] for item in record.json["agenda"]][0] == "Powitanie"


def test_unpublished_minutes_are_the_hosts_alone(api, piotr, ended_meeting):
    api.login(piotr)
    api.put(f"/api/v1/meetings/{ended_meeting}/minutes", json={"source": "Szkic."})
    api.logout()
    record = api.get(f"/api/v1/meetings/{ended_meeting}/record")
    assert record.status_code == 200
    assert record.json["source"] == "" and record.json["html"] == ""


def test_refusals_are_clear_and_write_nothing(api, piotr, ola, meeting, ended_meeting):
    assert (
        api.put(f"/api/v1/meetings/{ended_meeting}/minutes", json={"source": "x"}).json["error"][
            "code"
        ]
        == "not_authenticated"
    )
    api.login(ola)
    refused = api.put(f"/api/v1/meetings/{ended_meeting}/minutes", json={"source": "x"})
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "not_host")
    api.logout()
    api.login(piotr)
    early = api.put(f"/api/v1/meetings/{meeting}/minutes", json={"source": "x"})
    assert (early.status_code, early.json["error"]["code"]) == (409, "meeting_not_ended")
    empty = api.put(f"/api/v1/meetings/{ended_meeting}/minutes", json={"source": " "})
    assert empty.status_code == 422 and "source" in empty.json["error"]["fields"]
    wrong = api.put(f"/api/v1/meetings/{ended_meeting}/minutes", json={"source": 5})
    assert wrong.status_code == 422
    missing = api.get("/api/v1/meetings/98765/record")
    assert missing.status_code == 404
    assert get(Meeting, ended_meeting).minutes_source == ""
    assert get(Meeting, meeting).minutes_source == ""


def test_outcomes_are_linked_and_unlinked(api, piotr, ola, ended_meeting):
    thread = run(discussion.create_thread, ola, room_of("XIII").id, "Ławki", "Gdzie ławki?")
    draft_id = new_draft(ola, "Ławki przy Lipowej")
    api.login(piotr)
    url = f"/api/v1/meetings/{ended_meeting}/outcomes"
    linked = api.post(url, json={"address": f"http://localhost/threads/{thread.id}"})
    assert linked.status_code == 201
    linked = api.post(url, json={"draft_id": draft_id})
    assert linked.status_code == 201
    assert [(o["kind"], o["draft"]) for o in linked.json["outcomes"]] == [
        ("thread", None),
        ("draft", {"id": draft_id, "title": "Ławki przy Lipowej", "status": "draft"}),
    ]
    again = api.post(url, json={"address": str(thread.id), "kind": "thread"})
    assert (again.status_code, again.json["error"]["code"]) == (409, "outcome_linked")
    both = api.post(url, json={"thread_id": thread.id, "draft_id": draft_id})
    assert both.status_code == 422 and set(both.json["error"]["fields"]) == {
        "thread_id",
        "draft_id",
    }
    none = api.post(url, json={})
    assert none.status_code == 422
    unreadable = api.post(url, json={"thread_id": 98765})
    assert unreadable.status_code == 404
    assert count(MeetingOutcome) == 2

    outcome_id = linked.json["outcomes"][0]["id"]
    removed = api.delete(f"{url}/{outcome_id}")
    assert removed.status_code == 200 and len(removed.json["outcomes"]) == 1
    assert api.delete(f"{url}/{outcome_id}").status_code == 404


def test_attendance_by_name(api, piotr, ola, ewa, ended_meeting):
    signed_up(ended_meeting, ola)
    present(ended_meeting, ola, ewa)
    api.login(piotr)
    names = api.get(f"/api/v1/meetings/{ended_meeting}/attendance")
    assert names.status_code == 200
    assert [p["display_name"] for p in names.json["signed_up"]] == ["Ola"]
    assert [p["display_name"] for p in names.json["present"]] == ["Ewa", "Ola"]
    api.logout()
    api.login(make_user("Kuba"))
    refused = api.get(f"/api/v1/meetings/{ended_meeting}/attendance")
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "not_host")
    counts = api.get(f"/api/v1/meetings/{ended_meeting}/record")
    assert (counts.json["signed_up"], counts.json["present"]) == (1, 2)
