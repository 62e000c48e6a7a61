"""Rights that change under open sockets: a login ended, a role withdrawn, a room closed.

Services record such a change in their transaction. Just before it commits, the sockets of
this worker that it concerns are checked again with the policy, against the state about to be
committed; once it commits (forum/realtime/dispatch.py), those that lost a stream leave it and
those of an ended login are closed, before any event of that commit is sent. With a message
queue, the commit's changes (ids) are also published first, and each other worker checks its
own sockets against the committed state (`recheck`; after a Redis outage, `recheck_everyone`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from forum.accounts.models import UserSession
from forum.discussion.models import Thread
from forum.extensions import db
from forum.meetings.models import Meeting
from forum.realtime.dispatch import ACCESS_CHANGED, REVOCATIONS, apply_revocations
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
    connections = current_app.extensions["connections"]
    session.flush()
    session.expire_all()  # re-read rights as this transaction leaves them
    closing = {c.sid for c in connections.of_sessions(changes.ended_sessions)}
    revocations = _revocations(connections, closing, _affected(connections, changes))
    if revocations["disconnect"] or revocations["leave"]:
        pending = session.info.setdefault(REVOCATIONS, {"disconnect": [], "leave": []})
        pending["disconnect"].extend(revocations["disconnect"])
        pending["leave"].extend(revocations["leave"])
    if current_app.config["SOCKETIO_MESSAGE_QUEUE"]:
        # The other workers check their own sockets once this commits (forum/realtime/
        # message_queue.py), before its events reach them.
        session.info[ACCESS_CHANGED] = {
            "users": sorted(changes.users),
            "rooms": sorted(changes.rooms),
            "ended_sessions": sorted(changes.ended_sessions),
        }


def _affected(connections, changes: AccessChanges) -> list:
    affected = connections.of_users(changes.users)
    if changes.rooms:
        affected += connections.in_channels(_room_channels(changes.rooms, connections.channels()))
    return affected


def _revocations(connections, closing: set[str], affected: list) -> dict:
    """Which sockets to close (`closing`) and which of `affected` lose which streams, asked of
    the policy against the session's current state."""
    # Imported here: the services that record changes import this module.
    from forum.accounts.services import load_user
    from forum.realtime.catchup import may_read

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
    return {"disconnect": sorted(closing), "leave": sorted(leaving)}


def recheck(app, changes: dict) -> None:
    """Another worker committed these access changes (ids): apply them to this worker's
    sockets, in a transaction of this worker's own that reads the committed state."""
    changed = AccessChanges(
        users=set(changes.get("users", ())),
        rooms=set(changes.get("rooms", ())),
        ended_sessions=set(changes.get("ended_sessions", ())),
    )
    with app.app_context():
        connections = app.extensions["connections"]
        try:
            closing = {c.sid for c in connections.of_sessions(changed.ended_sessions)}
            revocations = _revocations(connections, closing, _affected(connections, changed))
        finally:
            db.session.rollback()  # read only
        apply_revocations(connections, revocations)


def recheck_everyone(app) -> None:
    """Re-check every socket of this worker: its login still open, each of its streams still
    readable (after a Redis outage, when another worker's access changes may have been lost)."""
    with app.app_context():
        connections = app.extensions["connections"]
        try:
            everyone = connections.all()
            session_ids = {c.session_id for c in everyone if c.session_id is not None}
            open_sessions = set(
                db.session.scalars(
                    select(UserSession.id).where(
                        UserSession.id.in_(session_ids), UserSession.ended_at.is_(None)
                    )
                )
            )
            closing = {
                c.sid
                for c in everyone
                if c.session_id is not None and c.session_id not in open_sessions
            }
            revocations = _revocations(connections, closing, everyone)
        finally:
            db.session.rollback()  # read only
        apply_revocations(connections, revocations)
