"""Rate limits counted in a real Redis (RATELIMIT_STORAGE_URI=redis://…), and while it is down:
counted in the process's memory, never a 500 nor a long wait, and back in Redis by themselves."""

from __future__ import annotations

import time

import pytest
import redis

from forum import ratelimits
from forum.errors import RateLimited
from tests.servers import RedisServer

WAIT_SECONDS = 15
SLOW_SECONDS = 2  # far above a refused connection's cost, far below redis-py's retries (7 s)


@pytest.fixture
def limited(app, redis_server):
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_REPLY="2/minute")
    app.extensions["ratelimits"] = ratelimits.RateLimits(redis_server.url)
    with app.app_context():
        yield app


def keys_in(server: RedisServer) -> int:
    client = redis.Redis.from_url(server.url)
    try:
        return client.dbsize()
    finally:
        client.close()


def replies(person: int) -> list[bool]:
    """Three replies of one person: which were let through."""
    let_through = []
    for _ in range(3):
        started = time.monotonic()
        try:
            ratelimits.hit(ratelimits.REPLY, "user", person)
            let_through.append(True)
        except RateLimited:
            let_through.append(False)
        assert time.monotonic() - started < SLOW_SECONDS
    return let_through


def test_limits_are_counted_in_redis(limited, redis_server):
    assert replies(1) == [True, True, False]
    assert keys_in(redis_server) > 0


def test_while_redis_is_down_limits_hold_in_memory_and_return_to_redis(limited, redis_server):
    assert replies(1) == [True, True, False]
    redis_server.stop()
    # No error, no long wait, and the limit still holds (in this process's memory).
    assert replies(2) == [True, True, False]
    redis_server.start()  # empty: nothing on disk
    deadline = time.monotonic() + WAIT_SECONDS
    person = 3
    while keys_in(redis_server) == 0:
        assert time.monotonic() < deadline, "the counters did not return to Redis"
        ratelimits.hit(ratelimits.REPLY, "user", person)
        person += 1
        time.sleep(0.1)


def test_login_lockouts_work_while_redis_is_down(limited, redis_server):
    limited.config.update(LOGIN_FREE_FAILURES_PER_ACCOUNT=2, LOGIN_LOCKOUT_SECONDS=30)
    redis_server.stop()
    ratelimits.check_login("someone@example.pl")
    ratelimits.login_failed("someone@example.pl")
    ratelimits.login_failed("someone@example.pl")
    with pytest.raises(RateLimited):
        ratelimits.check_login("someone@example.pl")
    ratelimits.login_succeeded("someone@example.pl")
    ratelimits.check_login("someone@example.pl")
