"""Idempotency keys: a write sent again with the same key answers as the first one did and
stores nothing new.

Forms carry a key made when the form is rendered (the hidden field `idempotency_key`:
`forum.web.KeyedForm`, or the `idempotency_field()` macro of templates/macros/forms.html); API
clients send one in the `Idempotency-Key` header of any write; the socket's `post_reply` takes
one in its payload. A key belongs to the logged-in person who sent it, for IDEMPOTENCY_KEY_HOURS.
Guests' requests are never deduplicated: what a guest may send (logging in, registering) is
covered by its own rules.

The boundaries (`@transactional`, and through it every API write; the `post_reply` handler)
claim the key in the same transaction as the write: a row unique on (user_id, key), inserted
before the view runs and given the view's answer just before the commit. Nobody else ever sees
a claim without its answer, so there is no "in progress" state to report:
- on SQLite writers take turns: a second request's insert waits for the first's commit, then
  fails on the unique constraint;
- on PostgreSQL the second insert waits on the unique index until the first commits, then fails.
Either way the second request rolls back and answers with the stored answer. A first request
that is refused (4xx) or fails rolls its claim back with everything else, so the person can fix
the input and send it again with the same key.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from flask import Response, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from forum.errors import Conflict, DomainError
from forum.extensions import UTCDateTime, db, utcnow

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
# 1–255 visible ASCII characters (no spaces): UUIDs, random tokens, anything a client makes.
KEY_PATTERN = r"^[!-~]{1,255}$"
KEY_DESCRIPTION = (
    "Optional. A repeat of this request with the same key by the same logged-in person within "
    "IDEMPOTENCY_KEY_HOURS (24 by default) stores nothing new and gets the first answer again, "
    "with the header `Idempotent-Replayed: true`; the same key with another request is a 422 "
    "`idempotency_key_reused`. A refused request (4xx) keeps nothing, so its key can be sent "
    "again. 1–255 visible ASCII characters, e.g. a UUID."
)
REPLAYED_HEADER = "Idempotent-Replayed"
# Form fields that differ between two renderings of the same form, so not part of the request.
UNSIGNED_FIELDS = frozenset({FORM_FIELD, "csrf_token"})
_KEY = re.compile(r"[!-~]{1,255}")  # KEY_PATTERN, for fullmatch (its $ passes a final newline)
# The key as a member of a socket payload.
Key = Annotated[str, Field(pattern=KEY_PATTERN, description=KEY_DESCRIPTION)]


class IdempotencyKey(db.Model):
    """A person's key and the answer the first request with it got."""

    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    key: Mapped[str] = mapped_column(String(255))
    # What the request was (method, path and body, hashed): the same key with another is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The first answer; None only inside the claiming transaction, before its view has answered.
    status: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(2048))
    content_type: Mapped[str | None] = mapped_column(String(128))
    body: Mapped[str | None] = mapped_column(Text)

    @property
    def answered(self) -> bool:
        return self.status is not None


class InvalidKey(DomainError):
    status = 400
    code = "invalid_idempotency_key"


class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"


class KeyInUse(Conflict):
    code = "idempotency_key_in_use"


@dataclass(frozen=True)
class KeyedRequest:
    """A write sent with a key by a logged-in person; `source` is where the key came from."""

    user_id: int
    key: str
    fingerprint: str
    source: str  # "header", "form" or "socket"


def new_key() -> str:
    """A key for one rendered form."""
    return secrets.token_urlsafe(18)


def window() -> timedelta:
    return timedelta(hours=current_app.config["IDEMPOTENCY_KEY_HOURS"])


def _checked(key: str, name: str) -> str:
    if not _KEY.fullmatch(key):
        message = _("An idempotency key is 1 to 255 visible ASCII characters, without spaces.")
        raise InvalidKey(message, {name: message})
    return key


def _fingerprint(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))  # so no two splits of the bytes collide
        digest.update(part)
    return digest.hexdigest()


def keyed_http_request() -> KeyedRequest | None:
    """The current HTTP write's key (header, else form field), or None when it has none.

    The request is its method, path, query and body; for a form, its fields but the key and the
    CSRF token (both change with each rendering of the form).
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    is_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    key, source = request.headers.get(HEADER), "header"
    if key is None and is_form:
        key, source = request.form.get(FORM_FIELD) or None, "form"
    if key is None:
        return None
    key = _checked(key.strip(), HEADER if source == "header" else FORM_FIELD)
    if not current_user.is_authenticated:
        return None
    if is_form:
        fields = sorted(
            (name, value)
            for name, value in request.form.items(multi=True)
            if name not in UNSIGNED_FIELDS
        )
        body = json.dumps(fields).encode()
    else:
        body = request.get_data()
    target = f"{request.method} {request.path}?{request.query_string.decode('latin-1')}"
    return KeyedRequest(current_user.id, key, _fingerprint(target.encode(), body), source)


def keyed_socket_event(event: str, key: str | None, payload: str) -> KeyedRequest | None:
    """A socket event's key (from its payload, already validated by its shape), or None."""
    if key is None or not current_user.is_authenticated:
        return None
    fingerprint = _fingerprint(f"socket {event}".encode(), payload.encode())
    return KeyedRequest(current_user.id, key, fingerprint, "socket")


def _stored(keyed: KeyedRequest) -> IdempotencyKey | None:
    """The answer stored under the key within the window; a different request is refused."""
    row = db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == keyed.user_id,
            IdempotencyKey.key == keyed.key,
            IdempotencyKey.created_at >= utcnow() - window(),
        )
    )
    if row is not None and row.fingerprint != keyed.fingerprint:
        if keyed.source != "header":  # a person at a form (also one the page sends by socket)
            message = _(
                "This form was already sent with other content. Reload the page to see what "
                "was saved, and send the form again from there."
            )
        else:
            message = _("This idempotency key was already used for a different request.")
        raise KeyReused(message)
    return row


def claim(keyed: KeyedRequest) -> IdempotencyKey:
    """Claim the key in the current transaction, or the answer stored under it.

    Call it before the write: a returned row that is `answered` is the first request's answer
    (the transaction was rolled back, nothing is written); else it is this request's claim, to
    be given the answer with `record()` before the commit.
    """
    stored = _stored(keyed)
    if stored is not None:
        return stored
    # An expired claim of the same key makes way for this one (only an expired one: on SQLite
    # this statement may run just after a concurrent claim of the key was committed).
    db.session.execute(
        delete(IdempotencyKey)
        .where(
            IdempotencyKey.user_id == keyed.user_id,
            IdempotencyKey.key == keyed.key,
            IdempotencyKey.created_at < utcnow() - window(),
        )
        .execution_options(synchronize_session=False)
    )
    row = IdempotencyKey(user_id=keyed.user_id, key=keyed.key, fingerprint=keyed.fingerprint)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        # Claimed by a concurrent request that has committed since: answer as it did.
        db.session.rollback()
        stored = _stored(keyed)
        if stored is None:  # its claim vanished between the two statements (pruned?)
            raise KeyInUse(
                _("This request is being handled already; try again in a moment.")
            ) from None
        return stored
    return row


def record(row: IdempotencyKey, response: Response) -> None:
    """Keep a successful HTTP answer with its claim (in the claiming transaction)."""
    row.status = response.status_code
    row.location = response.headers.get("Location")
    row.content_type = response.content_type
    row.body = response.get_data(as_text=True)


def record_ack(row: IdempotencyKey, ack: dict) -> None:
    """Keep a socket event's acknowledgement with its claim."""
    row.status = 200
    row.content_type = "application/json"
    row.body = json.dumps(ack)


def replay(row: IdempotencyKey) -> Response:
    """The first request's HTTP answer, again."""
    response = Response(row.body, status=row.status, content_type=row.content_type)
    if row.location:
        response.headers["Location"] = row.location
    response.headers[REPLAYED_HEADER] = "true"
    return response


def replayed_ack(row: IdempotencyKey) -> dict:
    return json.loads(row.body)


def forget_answers_about(post) -> None:
    """Drop the stored answers that carry a post's words (a new post's or an edit's JSON answer,
    a socket acknowledgement), so that deleting the post deletes them too.

    Only answers of the post's author can carry it, and only those claimed since the post was
    written (a claim precedes its write by one request's time: a minute is ample). A repeat of
    such a request then writes anew, as one sent after the window would.
    """
    since = max(post.created_at - timedelta(minutes=1), utcnow() - window())
    rows = db.session.scalars(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == post.author_id,
            IdempotencyKey.created_at >= since,
            IdempotencyKey.content_type == "application/json",
        )
    )
    for row in rows:
        answer = json.loads(row.body)
        if isinstance(answer.get("post"), dict) and answer["post"].get("id") == post.id:
            db.session.delete(row)


def prune(cutoff: datetime, limit: int) -> int:
    """Delete up to `limit` keys claimed before the cutoff; how many went (the caller commits)."""
    batch = select(IdempotencyKey.id).where(IdempotencyKey.created_at < cutoff).limit(limit)
    result = db.session.execute(
        delete(IdempotencyKey)
        .where(IdempotencyKey.id.in_(batch))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
