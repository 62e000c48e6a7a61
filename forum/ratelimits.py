"""Every rate limit of the forum, in one place, counted by the `limits` package.

A limit is checked where an operation starts, before any expensive work (rendering Markdown,
hashing a password, writing to the database), and counts the operation whichever way it came in:
HTML form, JSON API or Socket.IO. The forms, the API and the socket handlers call the same
services, and the services call this module. Socket events are also counted one by one, per
person (per connection for a guest), by `@socket_event` (forum/transactions.py).

Logins are throttled differently: failed attempts are counted per account and per client
address, and past a few failures further attempts are refused for a delay that doubles with each
failure; the right password is refused too until the delay ends. A success clears the account's
failures (not the address's: an attacker could otherwise clear them with an account of their own).

Counters live in RATELIMIT_STORAGE_URI: memory:// is this process's memory (one per app, so
each test starts from zero); with several workers they share redis://. RATELIMIT_ENABLED=False
turns every limit off (tests that need limits turn them on).

While a shared storage does not answer (within half a second: no retries), this process counts
in its own memory instead, with a logged warning, and tries the shared one again after
SHARED_RETRY_SECONDS. Failing open instead would lift every limit, the login lock-outs
included, for as long as Redis is down; per process, each limit still holds, per worker.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from datetime import timedelta

from flask import current_app, has_request_context, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user
from limits import parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from forum.errors import RateLimited
from forum.realtime import events
from forum.realtime.message_queue import REDIS_TIMEOUT_SECONDS, no_retries

log = logging.getLogger(__name__)

# After the shared storage failed, counting stays in this process's memory this long.
SHARED_RETRY_SECONDS = 5.0

# What each limited operation is called, and the setting that holds its limits.
REPLY = "reply"
THREAD = "thread"
EDIT = "edit"
INVITE = "invite"
REGISTRATION = "registration"
CSP_REPORT = "csp_report"
LIMITS = {
    REPLY: "RATELIMIT_REPLY",
    THREAD: "RATELIMIT_THREAD",
    EDIT: "RATELIMIT_EDIT",
    INVITE: "RATELIMIT_INVITE",
    REGISTRATION: "RATELIMIT_REGISTRATION",
    CSP_REPORT: "RATELIMIT_CSP_REPORT",
}
# Every event a client may send, and the setting that holds its limits.
SOCKET_EVENT_LIMITS = {
    events.JOIN: "RATELIMIT_SOCKET_JOIN",
    events.LEAVE: "RATELIMIT_SOCKET_LEAVE",
    events.POST_REPLY: "RATELIMIT_SOCKET_POST_REPLY",
    events.TYPING_STARTED: "RATELIMIT_SOCKET_TYPING",
}


class RateLimits:
    """One app's counters: a storage and the moving-window strategy over it; for a shared
    storage, also this process's memory, counting while the shared one does not answer."""

    def __init__(self, storage_uri: str):
        options = {}
        if storage_uri.startswith(("redis://", "rediss://", "unix://")):
            options = {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
                "retry": no_retries(),
            }
        self.storage: Storage = storage_from_string(storage_uri, wrap_exceptions=True, **options)
        self.window = MovingWindowRateLimiter(self.storage)
        self.local = None if isinstance(self.storage, MemoryStorage) else MemoryStorage()
        self.local_window = MovingWindowRateLimiter(self.local) if self.local else None
        self.shared_down_until = 0.0

    def run(self, operation):
        """operation(storage, window), on the shared storage, or on this process's memory
        while the shared one does not answer."""
        if self.local is None:
            return operation(self.storage, self.window)
        if time.monotonic() >= self.shared_down_until:
            try:
                return operation(self.storage, self.window)
            except StorageError as error:
                log.warning(
                    "rate limits count in this process for %.0f s: %s", SHARED_RETRY_SECONDS, error
                )
                self.shared_down_until = time.monotonic() + SHARED_RETRY_SECONDS
        return operation(self.local, self.local_window)


def init_app(app) -> None:
    app.extensions["ratelimits"] = RateLimits(app.config["RATELIMIT_STORAGE_URI"])


def _state() -> RateLimits | None:
    if not current_app.config["RATELIMIT_ENABLED"]:
        return None
    return current_app.extensions["ratelimits"]


def client_address() -> str | None:
    """The client's address (ProxyFix sets it from a trusted proxy); None outside a request."""
    return request.remote_addr if has_request_context() else None


def _wait(seconds: int) -> str:
    return format_timedelta(timedelta(seconds=seconds), threshold=1.5)


def _refuse(message: str, retry_after: float) -> RateLimited:
    return RateLimited(message, retry_after=max(1, math.ceil(retry_after)))


def hit(name: str, *identity) -> None:
    """Count one `name` operation of `identity`, or refuse it (RateLimited) past its limits."""
    state = _state()
    if state is None:
        _check_name(name)
        return
    _hit(state, name, LIMITS[name], identity, _operation_message)


def hit_from_address(name: str) -> None:
    """Count one `name` operation of the client's address (nothing outside a request)."""
    address = client_address()
    if address is None:
        _check_name(name)
        return
    hit(name, "address", address)


def _check_name(name: str) -> None:
    if name not in LIMITS:
        raise KeyError(name)


def hit_socket_event(event: str) -> None:
    """Count one socket event of this person (of this connection for a guest)."""
    state = _state()
    if state is None:
        return
    who = ("user", current_user.id) if current_user.is_authenticated else ("sid", request.sid)
    _hit(state, f"socket:{event}", SOCKET_EVENT_LIMITS[event], who, _socket_message)


def _hit(state: RateLimits, name: str, setting: str, identity: tuple, message) -> None:
    items = parse_many(current_app.config[setting])
    key = (name, *(str(part) for part in identity))

    def count(_storage, window) -> float | None:
        """The time the fullest limit frees up, if one is full; else None (counted)."""
        # Tested first, hit after: a refused attempt does not use up the other limits' room.
        full = [item for item in items if not window.test(item, *key)]
        if not full:
            for item in items:
                if not window.hit(item, *key):
                    full.append(item)  # taken meanwhile by a parallel request
                    break
        if not full:
            return None
        return max(window.get_window_stats(item, *key).reset_time for item in full)

    reset = state.run(count)
    if reset is not None:
        seconds = max(1, math.ceil(reset - time.time()))
        raise _refuse(message(name, seconds), seconds)


def _operation_message(name: str, seconds: int) -> str:
    wait = _wait(seconds)
    if name == REGISTRATION:
        return _(
            "Too many registrations from this address; try again later (in %(wait)s).", wait=wait
        )
    if name == CSP_REPORT:
        return _("Too many requests; try again later (in %(wait)s).", wait=wait)
    if name == INVITE:
        return _("You have sent many invitations; try again later (in %(wait)s).", wait=wait)
    if name == EDIT:
        return _("You are editing very fast; try again later (in %(wait)s).", wait=wait)
    return _("You are posting very fast; try again later (in %(wait)s).", wait=wait)


def _socket_message(_name: str, seconds: int) -> str:
    return _("Too many requests; try again later (in %(wait)s).", wait=_wait(seconds))


# --- logins ------------------------------------------------------------------------------


def _login_keys(email: str) -> list[tuple[str, int]]:
    """(storage key, failures allowed before a lock-out) for the account and the address."""
    config = current_app.config
    account = hashlib.sha256(email.encode()).hexdigest()
    keys = [(f"login:account:{account}", config["LOGIN_FREE_FAILURES_PER_ACCOUNT"])]
    address = client_address()
    if address is not None:
        keys.append((f"login:address:{address}", config["LOGIN_FREE_FAILURES_PER_ADDRESS"]))
    return keys


def check_login(email: str) -> None:
    """Refuse a login attempt during a lock-out, before the password is even looked at."""
    state = _state()
    if state is None:
        return
    now = time.time()
    keys = _login_keys(email)
    waits = state.run(
        lambda storage, _window: [
            storage.get_expiry(f"{key}:locked") - now
            for key, _free in keys
            if storage.get(f"{key}:locked")
        ]
    )
    if waits:
        seconds = max(1, math.ceil(max(waits)))
        message = _("Too many failed logins; try again later (in %(wait)s).", wait=_wait(seconds))
        raise _refuse(message, seconds)


def login_failed(email: str) -> None:
    """Count a failure; past the free ones, lock out for a delay that doubles each time."""
    state = _state()
    if state is None:
        return
    config = current_app.config
    keys = _login_keys(email)

    def count(storage, _window) -> None:
        for key, free in keys:
            failures = storage.incr(f"{key}:failures", config["LOGIN_FAILURE_MEMORY_SECONDS"])
            if failures >= free:
                delay = min(
                    config["LOGIN_LOCKOUT_SECONDS"] * 2 ** min(failures - free, 32),
                    config["LOGIN_LOCKOUT_MAX_SECONDS"],
                )
                storage.clear(f"{key}:locked")
                storage.incr(f"{key}:locked", int(delay))

    state.run(count)


def login_succeeded(email: str) -> None:
    """The account starts afresh; the address keeps its count."""
    state = _state()
    if state is None:
        return
    account_key, _free = _login_keys(email)[0]

    def clear(storage, _window) -> None:
        storage.clear(f"{account_key}:failures")
        storage.clear(f"{account_key}:locked")

    state.run(clear)
