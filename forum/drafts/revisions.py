"""A draft's history: its revisions, and any two of them compared field by field as a
word-level diff (what was deleted, what was inserted). Drafts are public, so is their history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.accounts.models import with_grants
from forum.areas.models import Area
from forum.budget.models import Category
from forum.drafts.models import CONTENT_FIELDS, Draft, DraftRevision
from forum.drafts.rules import field_labels
from forum.drafts.services import load_draft
from forum.errors import NotFound
from forum.extensions import db, socketio

# What the diff compares: a word with the spaces after it, one other character (punctuation)
# with its spaces, or a line break (so paragraphs stay apart). Spaces ride along, or the many
# equal spaces would make the comparison slow and the matches meaningless.
_TOKEN = re.compile(r"\w+[^\S\n]*|\n|[^\w\s][^\S\n]*|[^\S\n]+")
# Within one change: words, spaces and punctuation apart, to keep what both sides share.
_FINE = re.compile(r"\w+|\n|[^\S\n]+|[^\w\s]")
# Past this many token pairs, a field is compared line by line first: SequenceMatcher is
# quadratic in the worst case, and a request must not hold the server's one loop long.
_PAIRS_AT_ONCE = 3000 * 3000


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str


@dataclass(frozen=True)
class FieldDiff:
    field: str
    label: str
    segments: tuple[Segment, ...]

    @property
    def changed(self) -> bool:
        return any(segment.op != "equal" for segment in self.segments)

    @property
    def html(self) -> Markup:
        return diff_html(self.segments)


@dataclass(frozen=True)
class Comparison:
    draft: Draft
    old: DraftRevision
    new: DraftRevision
    fields: tuple[FieldDiff, ...]

    @property
    def changed(self) -> tuple[FieldDiff, ...]:
        return tuple(f for f in self.fields if f.changed)

    @property
    def unchanged(self) -> tuple[FieldDiff, ...]:
        return tuple(f for f in self.fields if not f.changed)


def list_revisions(viewer, draft_id: int, page: int = 1, per_page: int = 20):
    """The draft and a page of its revisions, newest first."""
    draft = load_draft(draft_id, viewer)
    query = (
        select(DraftRevision)
        .where(DraftRevision.draft_id == draft.id)
        .options(joinedload(DraftRevision.author).options(with_grants()))
        .order_by(DraftRevision.number.desc())
    )
    return draft, db.paginate(
        query, page=page, per_page=per_page, max_per_page=100, error_out=False
    )


def get_revision(viewer, draft_id: int, number: int) -> tuple[Draft, DraftRevision]:
    """The draft and one of its revisions by number, or NotFound."""
    draft = load_draft(draft_id, viewer)
    return draft, _revisions(draft, (number,))[number]


def _revisions(draft: Draft, numbers) -> dict[int, DraftRevision]:
    wanted = set(numbers)
    found = {
        revision.number: revision
        for revision in db.session.scalars(
            select(DraftRevision)
            .where(DraftRevision.draft_id == draft.id, DraftRevision.number.in_(wanted))
            .options(joinedload(DraftRevision.author).options(with_grants()))
        )
    }
    if set(found) != wanted:
        raise NotFound(no_such_revision())
    return found


def no_such_revision() -> str:
    return _("There is no such revision of this draft.")


def readable(content: dict) -> list[tuple[str, str]]:
    """A revision's fields as (label, text), in the BO form's order, as people read them."""
    names = names_in(content)
    labels = field_labels()
    return [(labels[f], field_text(f, content.get(f), names)) for f in CONTENT_FIELDS]


def compare(viewer, draft_id: int, old: int | None = None, new: int | None = None) -> Comparison:
    """Revision `old` against revision `new` of the draft, field by field. By default the
    current revision against the one before it."""
    draft = load_draft(draft_id, viewer)
    new = draft.version if new is None else new
    old = max(new - 1, 1) if old is None else old
    revisions = _revisions(draft, (old, new))
    before, after = revisions[old].content, revisions[new].content
    names = names_in(before, after)
    labels = field_labels()
    fields = []
    for field in CONTENT_FIELDS:
        old_text = field_text(field, before.get(field), names)
        new_text = field_text(field, after.get(field), names)
        fields.append(FieldDiff(field, labels[field], word_diff(old_text, new_text)))
        socketio.sleep(0)  # long texts take a while: let the other connections have a turn
    return Comparison(draft, revisions[old], revisions[new], tuple(fields))


def names_in(*contents: dict) -> dict[tuple[str, int], str]:
    """The names of the categories and areas the contents refer to, in two queries."""
    categories = {c.get("category_id") for c in contents} - {None}
    areas = {c.get("area_id") for c in contents} - {None}
    names: dict[tuple[str, int], str] = {}
    if categories:
        for category in db.session.scalars(select(Category).where(Category.id.in_(categories))):
            names["category_id", category.id] = category.name
    if areas:
        for area in db.session.scalars(select(Area).where(Area.id.in_(areas))):
            names["area_id", area.id] = area.label
    return names


def _amount(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0zł"


def field_text(field: str, value, names: dict | None = None) -> str:
    """A field's value as people read it (a category by its name, costs item by item), which
    is also what the diff compares."""
    names = names or {}
    if value is None or value == "" or value == []:
        return ""
    if field == "kind":
        return {"district": _("District proposal"), "city": _("City-wide proposal")}.get(
            value, str(value)
        )
    if field in ("category_id", "area_id"):
        return names.get((field, value), f"#{value}")
    if field == "locations":
        return "\n".join(str(place) for place in value)
    if field == "cost_items":
        lines = [f"{entry['item']}: {_amount(entry['amount'])}" for entry in value]
        total = sum(entry["amount"] for entry in value)
        return "\n".join([*lines, _("Total: %(total)s", total=_amount(total))])
    if field == "deliverable_in_year":
        return _("Yes") if value else _("No")
    return str(value)


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """The words of `old` and `new`, each kept, deleted or inserted, in reading order."""
    if old == new:
        return (Segment("equal", old),) if old else ()
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(a) * len(b) > _PAIRS_AT_ONCE:
        return _merge(_by_lines(old, new))
    return _merge(_diff_tokens(a, b))


def _diff_tokens(a: list[str], b: list[str]) -> list[Segment]:
    segments = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(Segment("equal", "".join(a[i1:i2])))
        else:
            segments += _replace("".join(a[i1:i2]), "".join(b[j1:j2]))
    return _absorb_spaces(segments)


def _replace(old: str, new: str) -> list[Segment]:
    """One change, with the words, spaces and punctuation both sides begin and end with kept
    out of it ("skwer " → "skwer, " is an inserted comma, not a changed word)."""
    a, b = _FINE.findall(old), _FINE.findall(new)
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    segments = [
        Segment("equal", "".join(a[:start])),
        Segment("delete", "".join(a[start : len(a) - end])),
        Segment("insert", "".join(b[start : len(b) - end])),
        Segment("equal", "".join(a[len(a) - end :])),
    ]
    return [segment for segment in segments if segment.text]


def _by_lines(old: str, new: str) -> list[Segment]:
    """Long texts: lines first, then words only within the lines that changed."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    segments: list[Segment] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(Segment("equal", "".join(a[i1:i2])))
            continue
        left, right = _TOKEN.findall("".join(a[i1:i2])), _TOKEN.findall("".join(b[j1:j2]))
        if len(left) * len(right) > _PAIRS_AT_ONCE:
            segments += _replace("".join(left), "".join(right))
        else:
            segments += _diff_tokens(left, right)
    return segments


def _absorb_spaces(segments: list[Segment]) -> list[Segment]:
    """A lone space kept between two changes joins them, so a rewritten phrase reads as one
    deletion and one insertion rather than word against word."""
    result = list(segments)
    for index in range(1, len(result) - 1):
        segment = result[index]
        if (
            segment.op == "equal"
            and segment.text.strip(" ") == ""
            and result[index - 1].op != "equal"
            and result[index + 1].op != "equal"
        ):
            result[index] = Segment("both", segment.text)
    merged: list[Segment] = []
    pending_delete, pending_insert = [], []
    for segment in result:
        if segment.op == "equal":
            merged += _flush(pending_delete, pending_insert)
            pending_delete, pending_insert = [], []
            merged.append(segment)
        elif segment.op == "both":
            pending_delete.append(segment.text)
            pending_insert.append(segment.text)
        elif segment.op == "delete":
            pending_delete.append(segment.text)
        else:
            pending_insert.append(segment.text)
    merged += _flush(pending_delete, pending_insert)
    return merged


def _flush(deleted: list[str], inserted: list[str]) -> list[Segment]:
    out = []
    if deleted_text := "".join(deleted):
        out.append(Segment("delete", deleted_text))
    if inserted_text := "".join(inserted):
        out.append(Segment("insert", inserted_text))
    return out


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    """Neighbours of the same kind as one segment."""
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].op == segment.op:
            merged[-1] = Segment(segment.op, merged[-1].text + segment.text)
        elif segment.text:
            merged.append(segment)
    return tuple(merged)


def diff_html(segments) -> Markup:
    """The diff as HTML: deletions in <del>, insertions in <ins>, every word escaped."""
    tags = {"delete": "del", "insert": "ins"}
    parts = []
    for segment in segments:
        text = escape(segment.text)
        tag = tags.get(segment.op)
        parts.append(Markup(f"<{tag}>{text}</{tag}>") if tag else text)
    return Markup("").join(parts)
