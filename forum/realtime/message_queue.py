"""Several workers, one forum: live events, revoked access and presence shared through Redis.

With ``SOCKETIO_MESSAGE_QUEUE=redis://…`` each worker's python-socketio manager is a
:class:`WorkerQueue`: every emit is delivered to this worker's own sockets and published on one
Redis channel, from which every other worker delivers it to its own. python-socketio's
``PubSubManager`` hands a received emit to the base ``Manager.emit``, which is the broadcast
fast path when run.py has installed it. A worker skips its own messages (``host_id``), so
nothing is delivered twice.

Two messages of our own travel on the same channel. ``presence_changed`` names the streams
whose presence a worker's sockets changed (forum/realtime/presence.py). ``access_changed``
carries the ids of what a committed transaction changed about rights (ended logins, people,
rooms). The sender publishes it before that commit's events, and each worker reads the channel
in order, so each worker takes its own sockets off the streams they lost (or closes them)
before any later event of those streams reaches them.

Redis may go away. Publishing then fails fast (short timeouts, no retries, and no new attempt
for a moment after a timeout): the posts are stored and the failure is logged, never raised.
The first message published again is preceded by ``events_lost``, on which every other worker
sends each stream its sockets follow that stream's last event again: clients that missed
events see the gap in the seq and catch up. The listener subscribes again by itself, within
LISTEN_RETRY_MAX_SECONDS; then this worker re-checks every socket's rights (an
``access_changed`` may have been lost meanwhile) and sends its streams' last events again.
Presence is written back into Redis by its heartbeat (forum/realtime/presence.py).
"""

from __future__ import annotations

import logging
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from socketio import RedisManager

log = logging.getLogger(__name__)

# Our own pub/sub message methods (python-socketio's: emit, disconnect, …).
ACCESS_CHANGED = "access_changed"
PRESENCE_CHANGED = "presence_changed"
EVENTS_LOST = "events_lost"
# A connection attempt or a command that takes longer is given up: the sender greenthread must
# not wait long for a Redis that is down or unreachable.
REDIS_TIMEOUT_SECONDS = 0.5
# After a publish timed out, messages are dropped (logged) this long without trying Redis again.
PUBLISH_PAUSE_SECONDS = 1.0
# The listener subscribes again after a failure, waiting longer each time up to this.
LISTEN_RETRY_MAX_SECONDS = 2.0


def no_retries() -> Retry:
    """redis-py retries a failed command 3 times, sleeping up to 7 s in all: while Redis is
    down that would hold whoever sent it (the sender greenthread, a request)."""
    return Retry(NoBackoff(), 0)


def redis_client(url: str) -> redis.Redis:
    """A Redis client that gives up quickly: for commands sent while serving."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        retry=no_retries(),
    )


class WorkerQueue(RedisManager):
    """python-socketio's Redis manager, with revoked access carried across workers and the
    time a down Redis can cost bounded."""

    def __init__(self, url: str, app, channel: str = "flask-socketio"):
        super().__init__(url, channel=channel)
        self.app = app
        self.publish_paused_until = 0.0
        self.dropped = False  # some message was not published since the last one that was
        self.listening = False  # subscribed and reading (tests wait on it)
        self.resubscriptions = 0  # times the listener subscribed again after a failure

    # --- publishing ----------------------------------------------------------------------------

    def _redis_connect(self):
        # The publisher only: a command answers within the timeout or fails. The listener has
        # its own connection (_subscribe), which waits for messages without a timeout.
        self.redis = redis_client(self.redis_url)
        self.connected = True

    def _publish(self, data):
        """Publish, or drop with a logged error: never raise, never wait long. The first
        message published after some were dropped is preceded by ``events_lost``: the other
        workers send their streams' last events again, so their clients see the gap."""
        if time.monotonic() < self.publish_paused_until:
            self._dropped(data, "Redis timed out a moment ago")
            return None
        try:
            if not self.connected:
                self._redis_connect()
            if self.dropped:
                lost = {"method": EVENTS_LOST, "host_id": self.host_id}
                self.redis.publish(self.channel, self.json.dumps(lost))
                self.dropped = False
                log.warning("publishing to Redis again")
            return self.redis.publish(self.channel, self.json.dumps(data))
        except Exception as error:
            self.connected = False
            if isinstance(error, redis.TimeoutError):
                # Redis unreachable: each attempt would cost a timeout. (A refused connection
                # costs nothing: the next message tries again.)
                self.publish_paused_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
            self._dropped(data, error)
            return None

    def _dropped(self, data, why) -> None:
        # The first of an outage is an error; the rest would flood the log.
        level = logging.DEBUG if self.dropped else logging.ERROR
        log.log(level, "%s not published to Redis: %s", data.get("method"), why)
        self.dropped = True

    def publish_access_changed(self, changes: dict) -> None:
        """Tell the other workers what a commit changed about rights (ids only)."""
        self._publish({"method": ACCESS_CHANGED, "changes": changes, "host_id": self.host_id})

    def publish_presence_changed(self, channels: list[str]) -> None:
        """Tell the other workers whose presence this worker has changed."""
        self._publish({"method": PRESENCE_CHANGED, "channels": channels, "host_id": self.host_id})

    # --- listening -----------------------------------------------------------------------------

    def _subscribe(self):
        listener = redis.Redis.from_url(
            self.redis_url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            retry=no_retries(),  # the loop below subscribes again, and then catches up
            socket_keepalive=True,
            health_check_interval=30,  # a connection silently gone is noticed
        )
        pubsub = listener.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self.channel)
        return pubsub

    def _redis_listen_with_retries(self):
        """python-socketio's loop, retrying sooner (every LISTEN_RETRY_MAX_SECONDS at most, not
        a minute), and catching up on rights once subscribed again."""
        retry_seconds = 0.25
        failed = False
        while True:
            try:
                pubsub = self._subscribe()
                retry_seconds = 0.25
                self.listening = True
                if failed:
                    self.resubscriptions += 1
                    log.warning("listening to Redis again")
                    self._after_outage()
                failed = False
                yield from pubsub.listen()
            except Exception as error:
                self.listening = False
                if not failed:
                    log.error("listening to Redis failed (%s): retrying", error)
                failed = True
                time.sleep(retry_seconds)
                retry_seconds = min(retry_seconds * 2, LISTEN_RETRY_MAX_SECONDS)

    def _listen(self):
        channel = self.channel.encode()
        for message in self._redis_listen_with_retries():
            if message["channel"] != channel or message["type"] != "message":
                continue
            try:
                data = self.json.loads(message["data"])
            except ValueError:
                log.error("an unreadable message on the Redis channel was ignored")
                continue
            method = data.get("method") if isinstance(data, dict) else None
            # Our own methods, handled here: python-socketio's loop knows only its own.
            if method == ACCESS_CHANGED:
                self._receive_access_changed(data)
            elif method == EVENTS_LOST:
                if data.get("host_id") != self.host_id:
                    self._resend_last_events()
            elif method == PRESENCE_CHANGED:
                if data.get("host_id") != self.host_id:
                    self.app.extensions["connections"].changed_elsewhere(data["channels"])
            else:
                yield data  # parsed once: python-socketio's loop takes a dict as it is

    def _receive_access_changed(self, message: dict) -> None:
        if message.get("host_id") == self.host_id:
            return  # this worker applied it before its commit's events (dispatch.Batch)
        from forum.realtime import access

        try:
            access.recheck(self.app, message["changes"])
        except Exception:
            log.exception("applying another worker's access changes failed")

    def _after_outage(self) -> None:
        """Messages published while this worker was not listening are lost: re-check every
        socket's rights, as an ``access_changed`` may have been among them, and send each
        followed stream's last event again, so clients see the gap and catch up by seq."""
        from forum.realtime import access

        try:
            access.recheck_everyone(self.app)
        except Exception:
            log.exception("re-checking access after a Redis outage failed")
        self._resend_last_events()

    def _resend_last_events(self) -> None:
        from forum.realtime import dispatch

        try:
            dispatch.resend_last_events(self.app)
        except Exception:
            log.exception("sending the streams' last events again failed")


def worker_queue(app) -> WorkerQueue | None:
    """The manager for SOCKETIO_MESSAGE_QUEUE, or None: one worker, python-socketio's own."""
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise RuntimeError(f"SOCKETIO_MESSAGE_QUEUE must be a redis:// URL, not {url!r}")
    return WorkerQueue(url, app)
