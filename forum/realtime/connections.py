"""The sockets this worker holds: whose they are, which login, which streams they follow.

The registry answers "which sockets belong to this person / this login / these streams", so a
logout can close them and a withdrawn right can take them off streams at once. It also makes
the presence lists: sent at most once per interval per stream (a thousand people arriving make a
handful of updates, not a thousand). Each worker keeps its own part; with several workers (a
message queue) each also shares its counts through Redis (forum/realtime/presence.py), tells the
others which streams changed, and sends each stream's presence, the same on every worker, to its
own sockets.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from forum.extensions import socketio
from forum.realtime import dispatch, events
from forum.realtime.presence import HEARTBEAT_SECONDS, SharedPresence, merge

PRESENCE_KINDS = ("room", "thread", "meeting")  # streams whose readers are listed as "here now"
# Names listed in a presence signal; the others are counted. A thousand names would be read by
# nobody, and sent to a thousand people at every change (a hundred kilobytes each).
PRESENCE_NAMES = 20


@dataclass(slots=True)  # one per open socket: no __dict__ each
class Connection:
    sid: str
    person: dict | None  # {"id", "display_name"}; None for a guest
    session_id: int | None  # the login (accounts.models.UserSession) it was opened with
    channels: set[str] = field(default_factory=set)

    @property
    def user_id(self) -> int | None:
        return self.person["id"] if self.person else None


class Connections:
    def __init__(
        self,
        presence_interval: float = 1.0,
        typing_interval: float = 3.0,
        shared: SharedPresence | None = None,
    ):
        self.presence_interval = presence_interval
        self.typing_interval = typing_interval
        self.shared = shared  # with several workers: presence counted across them
        self.heartbeat = None
        self._by_sid: dict[str, Connection] = {}
        self._in_channel: dict[str, set[str]] = defaultdict(set)
        # Who follows each channel, kept as they come and go, so a presence snapshot (one per
        # join) costs the logged-in people it lists, not every connection in the channel.
        self._guests: dict[str, int] = defaultdict(int)
        self._users: dict[str, dict[int, list]] = defaultdict(dict)  # user id → [person, sockets]
        self._typing_at: dict[tuple[str, int], float] = {}
        self._pending_presence: set[str] = set()
        self._changed_here: set[str] = set()  # pending, and to be written to Redis
        self._lock = threading.Lock()

    # --- who is connected -------------------------------------------------------------------

    def connect(self, sid: str, person: dict | None, session_id: int | None) -> None:
        with self._lock:
            self._by_sid[sid] = Connection(sid, person, session_id)
        if self.shared is not None and self.heartbeat is None:
            self.heartbeat = socketio.start_background_task(self._beat)

    def disconnect(self, sid: str) -> None:
        with self._lock:
            connection = self._by_sid.pop(sid, None)
            channels = connection.channels if connection else set()
            for channel in channels:
                self._remove(connection, channel)
            self._typing_at = {key: t for key, t in self._typing_at.items() if key[0] != sid}
        for channel in channels:
            self._presence_changed(channel)

    def get(self, sid: str) -> Connection | None:
        return self._by_sid.get(sid)

    def of_users(self, user_ids) -> list[Connection]:
        wanted = set(user_ids)
        with self._lock:
            return [c for c in self._by_sid.values() if c.user_id in wanted]

    def of_sessions(self, session_ids) -> list[Connection]:
        wanted = set(session_ids)
        with self._lock:
            return [c for c in self._by_sid.values() if c.session_id in wanted]

    def in_channels(self, channels) -> list[Connection]:
        with self._lock:
            sids = set().union(*(self._in_channel.get(channel, set()) for channel in channels))
            return [self._by_sid[sid] for sid in sids if sid in self._by_sid]

    def all(self) -> list[Connection]:
        with self._lock:
            return list(self._by_sid.values())

    def channels(self) -> list[str]:
        with self._lock:
            return list(self._in_channel)

    # --- following streams ------------------------------------------------------------------

    def join(self, sid: str, channel: str) -> None:
        with self._lock:
            connection = self._by_sid.get(sid)
            if connection is None:
                return
            if channel not in connection.channels:
                connection.channels.add(channel)
                self._add(connection, channel)
        self._presence_changed(channel)

    def leave(self, sid: str, channel: str) -> None:
        with self._lock:
            connection = self._by_sid.get(sid)
            if connection is None or channel not in connection.channels:
                return
            connection.channels.discard(channel)
            self._remove(connection, channel)
        self._presence_changed(channel)

    def _add(self, connection: Connection, channel: str) -> None:
        """Count a connection in a channel (the lock held)."""
        self._in_channel[channel].add(connection.sid)
        if connection.person is None:
            self._guests[channel] += 1
        else:
            entry = self._users[channel].setdefault(connection.user_id, [connection.person, 0])
            entry[0] = connection.person
            entry[1] += 1

    def _remove(self, connection: Connection, channel: str) -> None:
        """Take a connection out of a channel's counts (the lock held)."""
        self._in_channel[channel].discard(connection.sid)
        if not self._in_channel[channel]:
            del self._in_channel[channel]
        if connection.person is None:
            self._guests[channel] -= 1
            if not self._guests[channel]:
                del self._guests[channel]
        else:
            users = self._users[channel]
            entry = users.get(connection.user_id)
            if entry is not None:
                entry[1] -= 1
                if not entry[1]:
                    del users[connection.user_id]
            if not users:
                del self._users[channel]

    # --- presence and typing ----------------------------------------------------------------

    def _summary(self, channel: str) -> dict | None:
        """This worker's part of a channel's presence (the lock held); None if it has none."""
        count = len(self._in_channel.get(channel, ()))
        if not count:
            return None
        return {
            "count": count,
            "guests": self._guests.get(channel, 0),
            "users": {
                str(user_id): person
                for user_id, (person, _sockets) in self._users.get(channel, {}).items()
            },
        }

    def presence(self, channel: str) -> events.PresenceSignal | None:
        """Who follows a room or thread stream now; None for other streams."""
        if channel.partition(":")[0] not in PRESENCE_KINDS:
            return None
        with self._lock:
            here = self._summary(channel)
        others = self.shared.others([channel]) if self.shared is not None else None
        return self._signal(channel, here, others[channel] if others else [])

    def _signal(self, channel: str, here: dict | None, others: list) -> events.PresenceSignal:
        merged = merge(([here] if here else []) + others, PRESENCE_NAMES)
        return events.PresenceSignal(stream=channel, **merged)

    def may_signal_typing(self, sid: str, thread_id: int) -> bool:
        """True at most once per typing interval for one connection and thread."""
        now = time.monotonic()
        with self._lock:
            last = self._typing_at.get((sid, thread_id))
            if last is not None and now - last < self.typing_interval:
                return False
            self._typing_at[(sid, thread_id)] = now
            return True

    def _presence_changed(self, channel: str, here: bool = True) -> None:
        """A channel's presence changed: on this worker (`here`), or on another one."""
        if channel.partition(":")[0] not in PRESENCE_KINDS:
            return
        with self._lock:
            first = not self._pending_presence
            self._pending_presence.add(channel)
            if here:
                self._changed_here.add(channel)
        if first:
            socketio.start_background_task(self._send_presence)

    def changed_elsewhere(self, channels) -> None:
        """Another worker's sockets came or went on these channels (forum/realtime/
        message_queue.py): their presence is sent again to this worker's sockets."""
        with self._lock:
            followed = [channel for channel in channels if channel in self._in_channel]
        for channel in followed:
            self._presence_changed(channel, here=False)

    def _send_presence(self) -> None:
        socketio.sleep(self.presence_interval)
        with self._lock:
            channels, self._pending_presence = self._pending_presence, set()
            changed_here, self._changed_here = self._changed_here, set()
            here = {channel: self._summary(channel) for channel in channels}
        if self.shared is None:
            for channel in channels:
                dispatch.signal(events.PRESENCE, channel, self._signal(channel, here[channel], []))
            return
        written = {channel: here[channel] for channel in changed_here}
        others = self.shared.exchange(written, channels)
        if others is not None and changed_here:
            dispatch.presence_changed(sorted(changed_here))
        others = others or {}
        for channel in channels:
            if here[channel] is None:
                continue  # no socket of this worker follows it any more
            signal = self._signal(channel, here[channel], others.get(channel, []))
            dispatch.signal(events.PRESENCE, channel, signal, local=True)

    def _beat(self) -> None:
        """Keep this worker alive in Redis; after an outage, share its counts again."""
        while True:
            with self._lock:
                summaries = {
                    channel: self._summary(channel)
                    for channel in self._in_channel
                    if channel.partition(":")[0] in PRESENCE_KINDS
                }
            changed = self.shared.heartbeat(summaries)
            for channel in changed or ():
                self._presence_changed(channel)
            socketio.sleep(HEARTBEAT_SECONDS)
