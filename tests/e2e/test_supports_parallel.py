"""One person's support sent many times at once against a real server (a double click, a
client retrying without an idempotency key): one support is stored, the rest are refused as
"already_supported", under eventlet and with real threads."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.conftest import ForumServer, database_rows
from tests.e2e.test_idempotency_parallel import SENDERS, all_at_once, logged_in

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["eventlet", "threading"])
def server(request, tmp_path):
    forum = ForumServer(tmp_path / "forum.db", SOCKETIO_ASYNC_MODE=request.param)
    forum.start()
    yield forum
    forum.stop()


def supports_of(server: ForumServer, draft_id: int, email: str) -> int:
    rows = database_rows(
        server,
        "SELECT count(*) FROM support JOIN user_account ON user_account.id = support.user_id "
        "WHERE support.draft_id = :draft_id AND user_account.email = :email",
        draft_id=draft_id,
        email=email,
    )
    return rows[0][0]


def test_one_support_sent_at_once_many_times_stores_one(server):
    jan = logged_in(server, "jan@example.pl")
    drafts = jan.get(f"{server.url}/api/v1/drafts", timeout=10).json()["drafts"]
    draft_id = next(d["id"] for d in drafts if d["title"].startswith("Stoły do gry"))
    # The demo has Jan's support already: he takes it back first.
    assert jan.delete(f"{server.url}/api/v1/drafts/{draft_id}/support", timeout=10).ok
    assert supports_of(server, draft_id, "jan@example.pl") == 0
    cookies = jan.cookies.get_dict()

    responses = all_at_once(
        lambda: requests.post(
            f"{server.url}/api/v1/drafts/{draft_id}/support",
            json={},
            cookies=cookies,
            timeout=30,
        )
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (SENDERS - 1), [r.text for r in responses]
    refused = [r.json()["error"]["code"] for r in responses if r.status_code == 409]
    assert set(refused) == {"already_supported"}
    assert supports_of(server, draft_id, "jan@example.pl") == 1
    tally = jan.get(f"{server.url}/api/v1/drafts/{draft_id}/supports", timeout=10).json()
    assert tally["supports"] == {"counted": 4, "others": 1, "needed": 15}
