"""Meeting reminders sent by several workers at once (a running server's minute task and four
`flask send-meeting-reminders` processes on the same database): each person is reminded once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from config import BASE_DIR
from tests.e2e.conftest import call, database_rows, logged_in

pytestmark = pytest.mark.e2e

WORKERS = 4


def reminders_of(server, meeting_id: int) -> list[str]:
    rows = database_rows(
        server,
        "SELECT user_account.email FROM notification JOIN user_account "
        "ON user_account.id = notification.user_id "
        "WHERE notification.kind = 'meeting_reminder' AND notification.meeting_id = :meeting_id",
        meeting_id=meeting_id,
    )
    return [email for (email,) in rows]


def test_workers_racing_remind_each_person_once(forum_server):
    server = forum_server
    piotr = logged_in(server, "piotr@example.pl")
    status, rooms = call(piotr, "GET", server.url + "/api/v1/rooms")
    room = next(r["id"] for r in rooms["rooms"] if r["slug"] == "xiii-podgorze")
    start = datetime.now(UTC) + timedelta(minutes=30)
    status, body = call(
        piotr,
        "POST",
        f"{server.url}/api/v1/rooms/{room}/meetings",
        {
            "title": "Za pół godziny",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        },
    )
    assert status == 201, body
    meeting = body["meeting"]["id"]
    for email in ("anna@example.pl", "jan@example.pl"):
        status, body = call(
            logged_in(server, email), "PUT", f"{server.url}/api/v1/meetings/{meeting}/signup", {}
        )
        assert status == 200, body

    env = os.environ | {
        "FLASK_APP": "forum",
        "DATABASE_URL": server.database_url,
        "SECRET_KEY": "e2e-secret",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "send-meeting-reminders"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _worker in range(WORKERS)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    sent = [int(out.split()[1]) for out, _err in outputs]
    # The server's own minute task may have been first; either way, once each.
    assert sum(sent) in (0, 2), outputs
    assert sorted(reminders_of(server, meeting)) == ["anna@example.pl", "jan@example.pl"]
