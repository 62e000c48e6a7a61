"""The JSON API, version 1: thin endpoints over the same services as the HTML views."""

from forum.api.v1 import (  # noqa: F401
    admin,
    ambassadors,
    areas,
    budget,
    coauthors,
    discussion,
    drafts,
    exports,
    flags,
    meeting_live,
    meeting_minutes,
    meetings,
    moderation,
    notifications,
    openapi,
    reviews,
    revisions,
    session,
    streams,
    supports,
    units,
    workshops,
)
from forum.api.v1.base import bp

__all__ = ["bp"]
