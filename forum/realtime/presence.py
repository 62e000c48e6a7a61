"""Presence shared by several workers through Redis (with SOCKETIO_MESSAGE_QUEUE).

Each worker keeps counting its own sockets (forum/realtime/connections.py) and writes, per
stream, a summary of them into one Redis hash per stream, under its own worker id:

- ``forum:presence:<stream>``: worker id → ``{"count", "guests", "users": {id: person}}``;
- ``forum:presence:streams:<worker id>``: the streams it has a summary in;
- ``forum:presence:workers``: worker id → the time (Unix) until which it is alive; each worker
  renews its own every HEARTBEAT_SECONDS. A worker that stops renewing (killed) is left out of
  every count once its time has passed, and the first worker to notice removes its summaries.

A stream's presence is this worker's own fresh counts merged with the other live workers'
summaries, so every worker reports the same. Each call is one pipeline, with short timeouts.
While Redis does not answer, presence counts this worker's sockets only (joins and posts go
on); once it answers again, the worker writes all its summaries afresh.
"""

from __future__ import annotations

import heapq
import json
import logging
import time

from forum.realtime.message_queue import redis_client

log = logging.getLogger(__name__)

PREFIX = "forum:presence:"
WORKERS = PREFIX + "workers"
HEARTBEAT_SECONDS = 2.0
# A worker not heard of for this long is gone: its sockets leave every count.
WORKER_TTL_SECONDS = 10.0


def summary_key(channel: str) -> str:
    return PREFIX + channel


def streams_key(worker: str) -> str:
    return PREFIX + "streams:" + worker


def merge(summaries, listed: int) -> dict:
    """Summaries of several workers as one: counts added, each person once, the first
    `listed` people by name (others: how many more)."""
    count = guests = 0
    users: dict[str, dict] = {}
    for summary in summaries:
        count += summary["count"]
        guests += summary["guests"]
        users.update(summary["users"])
    names = heapq.nsmallest(listed, users.values(), key=lambda person: person["display_name"])
    return {"count": count, "guests": guests, "users": names, "others": len(users) - len(names)}


class SharedPresence:
    def __init__(self, url: str, worker: str):
        self.redis = redis_client(url)
        self.worker = worker
        self.available = True  # False from a failed call until a heartbeat succeeds

    def _failed(self, error: Exception) -> None:
        if self.available:
            log.warning("presence counts this worker only: Redis does not answer (%s)", error)
        self.available = False

    def others(self, channels) -> dict[str, list[dict]] | None:
        """The other live workers' summaries of each channel; None while Redis is down."""
        return self.exchange({}, channels)

    def exchange(self, written: dict, channels) -> dict[str, list[dict]] | None:
        """Write this worker's summaries (`written`: channel → summary, None for none left),
        then read the other live workers' summaries of `channels`, in one round trip."""
        if not self.available:
            return None
        channels = list(channels)
        pipe = self.redis.pipeline(transaction=True)
        for channel, summary in written.items():
            if summary is None:
                pipe.hdel(summary_key(channel), self.worker)
                pipe.srem(streams_key(self.worker), channel)
            else:
                pipe.hset(summary_key(channel), self.worker, json.dumps(summary))
                pipe.sadd(streams_key(self.worker), channel)
        pipe.zrangebyscore(WORKERS, time.time(), "+inf")
        for channel in channels:
            pipe.hgetall(summary_key(channel))
        try:
            answers = pipe.execute()
        except Exception as error:
            self._failed(error)
            return None
        answers = answers[2 * len(written) :]
        alive = {worker.decode() for worker in answers[0]}
        alive.discard(self.worker)
        return {
            channel: [
                json.loads(summary)
                for worker, summary in by_worker.items()
                if worker.decode() in alive
            ]
            for channel, by_worker in zip(channels, answers[1:], strict=True)
        }

    def heartbeat(self, summaries: dict) -> list[str] | None:
        """Renew this worker's life; after an outage (or if Redis forgot this worker) write
        all its summaries again (`summaries`: channel → summary, of every channel it counts).
        Remove the summaries of workers found dead. Returns the channels whose presence changed
        (None: Redis does not answer)."""
        now = time.time()
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.zadd(WORKERS, {self.worker: now + WORKER_TTL_SECONDS})
            pipe.zrangebyscore(WORKERS, "-inf", now)
            added, dead = pipe.execute()
            changed = []
            if added or not self.available:
                changed += self._rewrite(summaries)
            for worker in (worker.decode() for worker in dead):
                changed += self._forget(worker)
        except Exception as error:
            self._failed(error)
            return None
        if not self.available:
            log.warning("presence is shared through Redis again")
        self.available = True
        return changed

    def _rewrite(self, summaries: dict) -> list[str]:
        stale = {channel.decode() for channel in self.redis.smembers(streams_key(self.worker))}
        stale -= set(summaries)
        pipe = self.redis.pipeline(transaction=True)
        for channel in stale:
            pipe.hdel(summary_key(channel), self.worker)
        pipe.delete(streams_key(self.worker))
        for channel, summary in summaries.items():
            pipe.hset(summary_key(channel), self.worker, json.dumps(summary))
            pipe.sadd(streams_key(self.worker), channel)
        pipe.execute()
        return sorted(stale | set(summaries))

    def _forget(self, worker: str) -> list[str]:
        if not self.redis.zrem(WORKERS, worker):
            return []  # another worker is removing it
        channels = [channel.decode() for channel in self.redis.smembers(streams_key(worker))]
        pipe = self.redis.pipeline(transaction=False)
        for channel in channels:
            pipe.hdel(summary_key(channel), worker)
        pipe.delete(streams_key(worker))
        pipe.execute()
        log.warning(
            "worker %s stopped: its sockets left %d streams' presence", worker, len(channels)
        )
        return channels
