"""Drafts for the city team: the filtered, paged list (the CSV export is /drafts/export.csv)."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.drafts.export import DraftListQuery, DraftPage, drafts_page
from forum.drafts.schemas import draft_summary_view
from forum.schemas import pagination


@operation(
    "GET",
    "/drafts",
    summary="A page of drafts by status, area (with the areas within it), unit and edition.",
    description=(
        "The most recently changed first. An unknown area, unit or edition is a 422 naming "
        "the field. The same filters give the CSV of drafts with their reviews at "
        "/drafts/export.csv (for the coordinators and the units' experts)."
    ),
    query=DraftListQuery,
    answer=DraftPage,
)
def find_drafts(query: DraftListQuery):
    page = drafts_page(query)
    return DraftPage(
        drafts=[draft_summary_view(draft, current_user) for draft in page.items],
        meta=pagination(page),
    )
