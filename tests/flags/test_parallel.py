"""The same person flags the same post twice at the same moment: one flag, one 409.

On a database file (an in-memory one is a single connection the threads would share), with two
clients sending together; whichever of the service's check and the unique index catches the
second, it answers as the first refusal does.
"""

import threading

import pytest
from sqlalchemy import func, select

from forum import create_app
from forum.areas.services import seed_reference_data
from forum.extensions import db
from forum.flags.models import Flag
from forum.transactions import transaction
from tests import conftest
from tests.conftest import PASSWORD, make_user, opening_of, room_by_slug, run

ROUNDS = 5


@pytest.fixture
def file_app(tmp_path, monkeypatch):
    app = create_app(
        {"WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'f.db'}"},
        config_name="testing",
    )
    with app.app_context(), transaction():
        db.create_all()
        seed_reference_data()
    monkeypatch.setattr(conftest, "_app", app)  # the helpers' app for this test
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def send_together(clients, path, body):
    start = threading.Barrier(len(clients))
    answers = [None] * len(clients)

    def send(index, client):
        start.wait()
        answers[index] = client.post(path, json=body)

    threads = [threading.Thread(target=send, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


def test_two_flags_at_once_make_one_row_and_one_409(file_app):
    from forum.discussion import services as discussion

    author, jan = make_user("Autorka"), make_user("Jan")
    clients = []
    for _ in range(2):
        client = file_app.test_client()
        client.post("/api/v1/session", json={"email": jan.email, "password": PASSWORD})
        clients.append(client)
    room = room_by_slug("zablocie")
    for round_ in range(ROUNDS):
        thread = run(discussion.create_thread, author, room.id, f"Wątek {round_}", "Treść")
        post = opening_of(thread.id)
        answers = send_together(clients, f"/api/v1/posts/{post.id}/flags", {"reason": "spam"})
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [201, 409], [a.get_json() for a in answers]
        refused = next(a for a in answers if a.status_code == 409)
        assert refused.get_json()["error"]["code"] == "already_flagged"
        with file_app.app_context():
            rows = db.session.scalar(select(func.count(Flag.id)).where(Flag.post_id == post.id))
        assert rows == 1
