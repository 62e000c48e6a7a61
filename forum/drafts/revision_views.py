"""A draft's history pages: its revisions, one revision, two revisions compared."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from forum.drafts import revisions
from forum.drafts.schemas import CompareQuery
from forum.errors import NotFound, ValidationError
from forum.schemas import parse
from forum.web import page_number

bp = Blueprint("revisions", __name__)


@bp.get("/drafts/<int:draft_id>/revisions")
def index(draft_id: int):
    draft, page = revisions.list_revisions(current_user, draft_id, page_number())
    return render_template("drafts/revisions.html", draft=draft, page=page)


@bp.get("/drafts/<int:draft_id>/revisions/<int:number>")
def revision(draft_id: int, number: int):
    draft, revision = revisions.get_revision(current_user, draft_id, number)
    fields = revisions.readable(revision.content)
    return render_template("drafts/revision.html", draft=draft, revision=revision, fields=fields)


@bp.get("/drafts/<int:draft_id>/compare")
def compare(draft_id: int):
    try:
        query = parse(CompareQuery, request.args.to_dict())
    except ValidationError:
        raise NotFound(revisions.no_such_revision()) from None
    comparison = revisions.compare(current_user, draft_id, query.old, query.new)
    return render_template("drafts/compare.html", comparison=comparison, draft=comparison.draft)
