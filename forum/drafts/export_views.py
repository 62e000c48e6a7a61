"""The printable BO form of a draft, and the city team's CSV export of drafts with reviews."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import format_date
from flask_login import current_user
from sqlalchemy import select

from forum.accounts.models import ExpertUnit
from forum.areas.models import Area
from forum.budget.models import BudgetEdition
from forum.budget.services import allocation
from forum.drafts import rules
from forum.drafts.export import DraftQuery, export_csv
from forum.drafts.models import STATUSES
from forum.drafts.services import load_draft
from forum.extensions import db, utcnow
from forum.policy import ensure, status_label
from forum.schemas import parse
from forum.supports.services import district_of, tally

bp = Blueprint("drafts_export", __name__)


@bp.get("/drafts/<int:draft_id>/print")
def print_draft(draft_id: int):
    draft = load_draft(draft_id, current_user)
    return render_template(
        "drafts/print.html",
        draft=draft,
        labels=rules.field_labels(),
        missing=rules.missing(draft),
        cap=allocation(draft.edition_id, draft.area),
        tally=tally(draft),
        district=district_of(draft),
        status=status_label(draft.status),
        printed=format_date(utcnow(), "long"),
    )


@bp.get("/drafts/export")
def export_page():
    ensure(current_user, "drafts.export", None)
    areas = db.session.scalars(
        select(Area).where(Area.kind.in_(("city", "district"))).order_by(Area.path)
    )
    return render_template(
        "drafts/export.html",
        statuses=[(status, status_label(status)) for status in STATUSES],
        areas=list(areas),
        units=list(db.session.scalars(select(ExpertUnit).order_by(ExpertUnit.code))),
        editions=list(db.session.scalars(select(BudgetEdition).order_by(BudgetEdition.year))),
    )


@bp.get("/drafts/export.csv")
def export():
    query = parse(DraftQuery, {k: v for k, v in request.args.items() if v != ""})
    lines = export_csv(current_user, query)
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="drafts.csv"'},
    )
