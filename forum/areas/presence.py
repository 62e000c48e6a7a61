"""Who has a room or thread open right now, and who is writing: kept in this process's memory.

Presence changes on every connect and page change, so it is sent at most once per interval per
channel (a thousand people arriving make a handful of updates, not a thousand). Typing signals
are throttled per person and thread. With several workers each keeps its own part: the count
then covers one worker's connections (see the README).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from forum import realtime
from forum.extensions import socketio


class Presence:
    def __init__(self, interval: float = 1.0, typing_interval: float = 3.0):
        self.interval = interval
        self.typing_interval = typing_interval
        self._who: dict[str, dict | None] = {}  # sid → {"id", "display_name"}, None for a guest
        self._channels: dict[str, set[str]] = defaultdict(set)  # channel → sids
        self._typing_at: dict[tuple[str, int], float] = {}
        self._pending: set[str] = set()
        self._lock = threading.Lock()

    def connect(self, sid: str, who: dict | None) -> None:
        with self._lock:
            self._who[sid] = who

    def who(self, sid: str) -> dict | None:
        return self._who.get(sid)

    def disconnect(self, sid: str) -> None:
        with self._lock:
            self._who.pop(sid, None)
            left = [channel for channel, sids in self._channels.items() if sid in sids]
            for channel in left:
                self._channels[channel].discard(sid)
            self._typing_at = {key: t for key, t in self._typing_at.items() if key[0] != sid}
        for channel in left:
            self._changed(channel)

    def join(self, channel: str, sid: str) -> None:
        with self._lock:
            self._channels[channel].add(sid)
        self._changed(channel)

    def leave(self, channel: str, sid: str) -> None:
        with self._lock:
            self._channels[channel].discard(sid)
        self._changed(channel)

    def snapshot(self, channel: str) -> dict:
        with self._lock:
            sids = list(self._channels.get(channel, ()))
            people = [self._who.get(sid) for sid in sids]
        users = {who["id"]: who for who in people if who is not None}
        return {
            "channel": channel,
            "count": len(sids),
            "guests": sum(1 for who in people if who is None),
            "users": sorted(users.values(), key=lambda who: who["display_name"]),
        }

    def may_signal_typing(self, sid: str, thread_id: int) -> bool:
        """True at most once per typing interval for one connection and thread."""
        now = time.monotonic()
        with self._lock:
            last = self._typing_at.get((sid, thread_id))
            if last is not None and now - last < self.typing_interval:
                return False
            self._typing_at[(sid, thread_id)] = now
            return True

    def _changed(self, channel: str) -> None:
        with self._lock:
            first = not self._pending
            self._pending.add(channel)
        if first:
            socketio.start_background_task(self._send_pending)

    def _send_pending(self) -> None:
        socketio.sleep(self.interval)
        with self._lock:
            channels, self._pending = self._pending, set()
        for channel in channels:
            realtime.signal(realtime.PRESENCE, channel, self.snapshot(channel))
