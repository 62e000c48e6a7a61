"""The city workshop series: list and read them with their pipeline, create one (admins), add
or mark needs and ideas, say which needs an idea answers."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.schemas import PageQuery, pagination
from forum.workshops import schemas, services
from forum.workshops.schemas import item_view, series_view

THREAD_ERRORS = {
    401: ("not_authenticated",),
    403: ("forbidden", "muted", "suspended"),
    409: ("room_archived", "stage_takes_no_items"),
    429: ("rate_limited",),
}


def _series_answer(series_id: int, page: int = 1, per_page: int = services.ITEMS_PER_PAGE):
    series = services.load_series(series_id, summaries=True)
    pipeline = services.pipeline(current_user, series, page, per_page)
    return schemas.WorkshopSeriesAnswer(
        series=series_view(series, services.item_counts([series.id])[series.id]),
        needs=[item_view(line) for line in pipeline.needs],
        ideas=[item_view(line) for line in pipeline.ideas],
        needs_meta=pagination(pipeline.needs_page),
        ideas_meta=pagination(pipeline.ideas_page),
    )


def _item_answer(item) -> schemas.WorkshopItemAnswer:
    return schemas.WorkshopItemAnswer(item=item_view(services.item_line(current_user, item)))


@operation(
    "GET",
    "/workshops",
    summary="The city workshop series, the newest edition first, with their stages' meetings, "
    "a page at a time.",
    query=PageQuery,
    answer=schemas.WorkshopSeriesList,
)
def workshop_series_list(query: PageQuery):
    listed = services.list_series(query.page, query.per_page, summaries=True)
    counts = services.item_counts(series.id for series in listed.items)
    return schemas.WorkshopSeriesList(
        series=[series_view(series, counts[series.id]) for series in listed.items],
        meta=pagination(listed),
    )


@operation(
    "GET",
    "/workshops/<int:series_id>",
    summary="A series with its pipeline: needs, the ideas answering them, the drafts made.",
    description="A page of its needs and a page of its ideas, each newest first: page 2 is "
    "the second page of each list.",
    query=PageQuery,
    answer=schemas.WorkshopSeriesAnswer,
)
def workshop_series(series_id: int, query: PageQuery):
    return _series_answer(series_id, query.page, query.per_page)


@operation(
    "POST",
    "/workshops",
    summary="Create a series for a budget edition with its three workshop meetings (admins).",
    description="Each stage's meeting is scheduled as any meeting, the admin hosting it: in "
    "the stage's workshop room of the city track unless another is named, its times checked "
    "(each workshop after the one before it). A refusal names the stage, e.g. "
    "`stages.1.starts_at`.",
    body=schemas.SeriesInput,
    answer=schemas.WorkshopSeriesAnswer,
    status=201,
    errors={
        401: ("not_authenticated",),
        403: ("forbidden",),
        409: ("meeting_overlaps", "no_edition"),
        429: ("rate_limited",),
    },
)
def create_workshop_series(body: schemas.SeriesInput):
    series = services.create_series(current_user, body)
    return _series_answer(series.id)


@operation(
    "POST",
    "/workshops/<int:series_id>/stages/<int:number>/threads",
    summary="Add a need (stage 1) or an idea (stage 2): a new thread in the stage's room.",
    description="The room's rules for new threads apply. An idea may name the needs of the "
    "series it answers.",
    body=schemas.NewItemThread,
    answer=schemas.WorkshopItemAnswer,
    status=201,
    errors=THREAD_ERRORS,
)
def start_workshop_item(series_id: int, number: int, body: schemas.NewItemThread):
    item = services.start_item(
        current_user, series_id, number, body.title, body.body, tuple(body.need_ids)
    )
    return _item_answer(item)


@operation(
    "POST",
    "/workshops/<int:series_id>/stages/<int:number>/items",
    summary="Mark a thread of the stage's room as its need or idea (the room's moderators).",
    description="Marking it again changes nothing; a thread is an item of one stage at most.",
    body=schemas.MarkThread,
    answer=schemas.WorkshopItemAnswer,
    status=201,
    errors={
        401: ("not_authenticated",),
        403: ("forbidden",),
        409: ("already_marked", "thread_deleted", "stage_takes_no_items"),
    },
)
def mark_workshop_item(series_id: int, number: int, body: schemas.MarkThread):
    return _item_answer(services.mark_thread(current_user, series_id, number, body.thread_id))


@operation(
    "DELETE",
    "/workshop-items/<int:item_id>",
    summary="Unmark a need or an idea (the room's moderators); the thread stays.",
    answer=None,
    status=204,
    errors={401: ("not_authenticated",), 403: ("forbidden",)},
)
def unmark_workshop_item(item_id: int):
    services.unmark(current_user, item_id)


@operation(
    "PUT",
    "/workshop-items/<int:item_id>/needs",
    summary="Say which needs of its series an idea answers (its author, the moderators).",
    description="The list replaces the idea's links: needs left out are unlinked.",
    body=schemas.NeedLinks,
    answer=schemas.WorkshopItemAnswer,
    errors={
        401: ("not_authenticated",),
        403: ("forbidden", "suspended"),
        409: ("not_an_idea",),
    },
)
def link_workshop_needs(item_id: int, body: schemas.NeedLinks):
    return _item_answer(services.link_needs(current_user, item_id, tuple(body.need_ids)))
