"""Catch up on a stream over HTTP: the twin of joining it over Socket.IO with `after`."""

from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field

from forum.api.v1.base import operation
from forum.errors import NotFound
from forum.realtime.catchup import authorize, catch_up
from forum.realtime.events import CatchUp
from forum.realtime.streams import StreamKey
from forum.schemas import MAX_ID, Query, QueryInt


class AfterQuery(Query):
    after: QueryInt = Field(
        ge=0, le=MAX_ID, description="The last seq the client applied (0: all)."
    )


@operation(
    "GET",
    "/streams/<stream>/events",
    summary="Catch up: a stream's events after a seq, oldest first, as the user may see them now.",
    description=(
        'The stream is "room:<id>", "thread:<id>", "unit:<id>" or "user:<id>", read under the '
        "same rules as over Socket.IO. If not `complete`, ask again after the last event; if "
        "`reload`, the log no longer reaches back that far: refetch the state."
    ),
    query=AfterQuery,
    answer=CatchUp,
    errors={401: ("not_authenticated",), 403: ("forbidden",)},
)
def stream_events(stream: str, query: AfterQuery):
    try:
        key = StreamKey.parse(stream)
    except ValueError:
        raise NotFound(_("There is no such stream.")) from None
    authorize(current_user, key)
    return catch_up(current_user, key, query.after)
