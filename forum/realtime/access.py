"""Rights that change under open sockets: a login ended, a role withdrawn, a room closed.

Services record such a change in their transaction. Just before it commits, the sockets of
this worker that it concerns are checked again with the policy, against the state about to be
committed; once it commits (forum/realtime/dispatch.py), those that lost a stream leave it and
those of an ended login are closed, before any event of that commit is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from forum.discussion.models import Thread
from forum.extensions import db
from forum.meetings.models import Meeting
from forum.realtime.dispatch import REVOCATIONS
from forum.realtime.streams import StreamKey
from forum.realtime.subjects import GUEST

ACCESS_CHANGES = "realtime_access_changes"


@dataclass
class AccessChanges:
    users: set[int] = field(default_factory=set)
    rooms: set[int] = field(default_factory=set)
    ended_sessions: set[int] = field(default_factory=set)


def _changes() -> AccessChanges:
    return db.session.info.setdefault(ACCESS_CHANGES, AccessChanges())


def user_access_changed(user_id: int) -> None:
    """A person's rights changed (a role granted or withdrawn, a ban): re-check their sockets."""
    _changes().users.add(user_id)


def room_access_changed(room_id: int) -> None:
    """Who may read a room changed: re-check the sockets on it and on its threads."""
    _changes().rooms.add(room_id)


def sessions_ended(session_ids) -> None:
    """These logins ended: their sockets are closed on commit."""
    _changes().ended_sessions.update(session_ids)


def _room_channels(room_ids: set[int], joined: list[str]) -> list[str]:
    """The channels of these rooms, and of their threads and meetings, that some socket here
    follows."""
    channels = [f"room:{room_id}" for room_id in room_ids]
    for kind, model in (("thread", Thread), ("meeting", Meeting)):
        ids = [StreamKey.parse(name).target_id for name in joined if name.startswith(kind + ":")]
        if ids:
            in_rooms = db.session.scalars(
                select(model.id).where(model.room_id.in_(room_ids), model.id.in_(ids))
            )
            channels += [f"{kind}:{target_id}" for target_id in in_rooms]
    return channels


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(ACCESS_CHANGES, None)


@event.listens_for(Session, "before_commit")
def _recheck(session: Session) -> None:
    changes: AccessChanges | None = session.info.pop(ACCESS_CHANGES, None)
    if changes is None or not has_app_context():
        return
    # Imported here: the services that record changes import this module.
    from forum.accounts.services import load_user
    from forum.realtime.catchup import may_read

    connections = current_app.extensions["connections"]
    session.flush()
    session.expire_all()  # re-read rights as this transaction leaves them
    closing = {c.sid for c in connections.of_sessions(changes.ended_sessions)}
    affected = connections.of_users(changes.users)
    if changes.rooms:
        affected += connections.in_channels(_room_channels(changes.rooms, connections.channels()))
    # A thousand guests on one thread are one question to the policy, not a thousand.
    viewers: dict[int | None, object] = {None: GUEST}
    answers: dict[tuple[int | None, str], bool] = {}
    leaving = set()
    for connection in affected:
        if connection.sid in closing:
            continue
        if connection.user_id not in viewers:
            viewers[connection.user_id] = load_user(connection.user_id) or GUEST
        for channel in list(connection.channels):
            asked = (connection.user_id, channel)
            if asked not in answers:
                answers[asked] = may_read(viewers[connection.user_id], StreamKey.parse(channel))
            if not answers[asked]:
                leaving.add((connection.sid, channel))
    if closing or leaving:
        revocations = session.info.setdefault(REVOCATIONS, {"disconnect": [], "leave": []})
        revocations["disconnect"].extend(sorted(closing))
        revocations["leave"].extend(sorted(leaving))
