"""The JSON API, version 1: thin endpoints over the same services as the HTML views."""

from forum.api.v1 import (  # noqa: F401
    admin,
    ambassadors,
    areas,
    discussion,
    flags,
    moderation,
    notifications,
    openapi,
    session,
    streams,
    units,
)
from forum.api.v1.base import bp

__all__ = ["bp"]
