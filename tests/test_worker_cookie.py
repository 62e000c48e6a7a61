"""The cookie that keeps a client on one worker behind nginx (forum/web.py, name_the_worker)."""

from __future__ import annotations

import pytest

from forum import create_app
from forum.web import WORKER_COOKIE


def worker_cookies(response) -> list[str]:
    return [
        header
        for header in response.headers.getlist("Set-Cookie")
        if header.startswith(f"{WORKER_COOKIE}=")
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/no-such-page",
        "/api/v1/session",
        "/static/no-such-file.css",
        "/socket.io/?EIO=4&transport=polling",
    ],
)
def test_every_response_names_the_worker(path):
    app = create_app({"WORKER_NAME": "w2"}, config_name="testing")
    response = app.test_client().get(path, headers={"Cookie": f"{WORKER_COOKIE}=w1"})
    assert worker_cookies(response) == [f"{WORKER_COOKIE}=w2; Path=/; HttpOnly; SameSite=Lax"]


def test_a_single_worker_sets_no_such_cookie():
    app = create_app(config_name="testing")
    assert worker_cookies(app.test_client().get("/api/v1/session")) == []


@pytest.mark.parametrize("name", ["w 1", "w1;x=y", "x" * 33])
def test_a_worker_name_that_cannot_be_a_cookie_value_is_refused_at_start(name):
    with pytest.raises(RuntimeError, match="WORKER_NAME"):
        create_app({"WORKER_NAME": name}, config_name="testing")
