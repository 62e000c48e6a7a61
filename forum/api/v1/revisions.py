"""A draft's history: its revisions, one revision's content, two revisions compared."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.drafts import revisions, schemas
from forum.drafts.schemas import (
    draft_summary_view,
    field_diff_view,
    revision_summary_view,
)
from forum.schemas import PageQuery, pagination

NOT_FOUND = {404: ("not_found",)}


@operation(
    "GET",
    "/drafts/<int:draft_id>/revisions",
    summary="A page of the draft's revisions, newest first: every save is one.",
    query=PageQuery,
    answer=schemas.RevisionPage,
    errors=NOT_FOUND,
)
def draft_revisions(draft_id: int, query: PageQuery):
    draft, page = revisions.list_revisions(current_user, draft_id, query.page, query.per_page)
    return schemas.RevisionPage(
        draft=draft_summary_view(draft),
        revisions=[revision_summary_view(r) for r in page.items],
        meta=pagination(page),
    )


@operation(
    "GET",
    "/drafts/<int:draft_id>/revisions/<int:number>",
    summary="One revision of the draft: its fields as they were saved then.",
    answer=schemas.RevisionAnswer,
    errors=NOT_FOUND,
)
def draft_revision(draft_id: int, number: int):
    draft, revision = revisions.get_revision(current_user, draft_id, number)
    return schemas.RevisionAnswer(
        draft=draft_summary_view(draft),
        revision=revision_summary_view(revision),
        content=schemas.DraftContent(**revision.content),
    )


@operation(
    "GET",
    "/drafts/<int:draft_id>/compare",
    summary="Two revisions of the draft compared field by field, word by word.",
    description="Without `old` and `new`: the current revision against the one before it.",
    query=schemas.CompareQuery,
    answer=schemas.Comparison,
    errors=NOT_FOUND,
)
def compare_revisions(draft_id: int, query: schemas.CompareQuery):
    comparison = revisions.compare(current_user, draft_id, query.old, query.new)
    return schemas.Comparison(
        draft=draft_summary_view(comparison.draft),
        old=revision_summary_view(comparison.old),
        new=revision_summary_view(comparison.new),
        fields=[field_diff_view(diff) for diff in comparison.fields],
    )
