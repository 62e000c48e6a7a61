"""Streams and their event log: names, ids and numbers only, never what people wrote."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import UTCDateTime, db, utcnow


class Stream(db.Model):
    """A numbered sequence of events: an area room, a thread, an expert unit or a person."""

    __table_args__ = (UniqueConstraint("kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # room, thread, unit, user
    target_id: Mapped[int] = mapped_column(BigInteger)
    # The seq of the stream's latest event; the next one gets last_seq + 1.
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class StreamEvent(db.Model):
    """One state change, numbered in its stream: what happened and to which object.

    Catch-up re-reads the object as the reader may see it now, so words deleted or hidden
    since are never served from here.
    """

    __table_args__ = (UniqueConstraint("stream_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stream_id: Mapped[int] = mapped_column(ForeignKey("stream.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(32))
    # The id of the post, thread, notification or user the event is about (see realtime.events).
    subject_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
