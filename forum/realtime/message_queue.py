"""Several workers, one forum: live events, revoked access and presence shared through Redis.

With ``SOCKETIO_MESSAGE_QUEUE=redis://…`` each worker's python-socketio manager is a
:class:`WorkerQueue`: every emit is delivered to this worker's own sockets and published on one
Redis channel, from which every other worker delivers it to its own. python-socketio's
``PubSubManager`` hands a received emit to the base ``Manager.emit``, which is the broadcast
fast path when run.py has installed it. A worker skips its own messages (``host_id``), so
nothing is delivered twice.

One message of our own travels on the same channel: ``access_changed``, the ids of what a
committed transaction changed about rights (ended logins, people, rooms). The sender publishes
it before that commit's events, and each worker reads the channel in order, so each worker
takes its own sockets off the streams they lost (or closes them) before any later event of
those streams reaches them.

Redis may go away. Publishing then fails fast (short timeouts, and no new attempt for a moment
after a failure): the posts are stored and the failure is logged, never raised; clients recover
what they missed through the streams' seq numbers. The listener subscribes again by itself,
retrying every few seconds; once it is back, this worker re-checks every socket's rights (an
``access_changed`` may have been lost meanwhile) and puts its presence back into Redis.
"""

from __future__ import annotations

import logging
import time

import redis
from socketio import RedisManager

log = logging.getLogger(__name__)

ACCESS_CHANGED = "access_changed"  # our own pub/sub message method (python-socketio's: emit, …)
# A connection attempt or a command that takes longer is given up: the sender greenthread must
# not wait long for a Redis that is down or unreachable.
REDIS_TIMEOUT_SECONDS = 0.5
# After a failed publish, messages are dropped (logged) this long without trying Redis again.
PUBLISH_PAUSE_SECONDS = 1.0
# The listener subscribes again after a failure, waiting longer each time up to this.
LISTEN_RETRY_MAX_SECONDS = 2.0


def redis_client(url: str, **options) -> redis.Redis:
    """A Redis client that gives up quickly: for commands sent while serving."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        **options,
    )


class WorkerQueue(RedisManager):
    """python-socketio's Redis manager, with revoked access carried across workers and the
    time a down Redis can cost bounded."""

    def __init__(self, url: str, app, channel: str = "flask-socketio"):
        super().__init__(url, channel=channel)
        self.app = app
        self.publish_paused_until = 0.0
        self.listening = False  # subscribed and reading (tests wait on it)
        self.resubscriptions = 0  # times the listener subscribed again after a failure

    # --- publishing ----------------------------------------------------------------------------

    def _redis_connect(self):
        # The publisher only: a command answers within the timeout or fails. The listener has
        # its own connection (_subscribe), which waits for messages without a timeout.
        self.redis = redis_client(self.redis_url)
        self.connected = True

    def _publish(self, data):
        """Publish, or drop with a logged error: never raise, never wait long."""
        if time.monotonic() < self.publish_paused_until:
            log.warning("Redis is unavailable: %s not published", data.get("method"))
            return None
        try:
            if not self.connected:
                self._redis_connect()
            return self.redis.publish(self.channel, self.json.dumps(data))
        except Exception as error:
            self.connected = False
            self.publish_paused_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
            log.error("publishing %s to Redis failed: %s", data.get("method"), error)
            return None

    def publish_access_changed(self, changes: dict) -> None:
        """Tell the other workers what a commit changed about rights (ids only)."""
        self._publish({"method": ACCESS_CHANGED, "changes": changes, "host_id": self.host_id})

    # --- listening -----------------------------------------------------------------------------

    def _subscribe(self):
        listener = redis.Redis.from_url(
            self.redis_url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
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
            if isinstance(data, dict) and data.get("method") == ACCESS_CHANGED:
                # Our own method, handled here: python-socketio's loop knows only its own.
                self._receive_access_changed(data)
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
        from forum.realtime import access, dispatch

        try:
            access.recheck_everyone(self.app)
        except Exception:
            log.exception("re-checking access after a Redis outage failed")
        try:
            dispatch.resend_last_events(self.app)
        except Exception:
            log.exception("sending the streams' last events after a Redis outage failed")


def worker_queue(app) -> WorkerQueue | None:
    """The manager for SOCKETIO_MESSAGE_QUEUE, or None: one worker, python-socketio's own."""
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise RuntimeError(f"SOCKETIO_MESSAGE_QUEUE must be a redis:// URL, not {url!r}")
    return WorkerQueue(url, app)
