"""Proposal drafts: the structured fields of a BO proposal, its authors, every saved revision,
its status moves, and the thread (and posts) it came from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.areas.models import Area
from forum.budget.models import BudgetEdition, Category
from forum.discussion.models import Post, Thread
from forum.extensions import UTCDateTime, db, utcnow

STATUSES = ("draft", "in_review", "revised", "ready", "withdrawn")
# Statuses in which the authors may still change the text.
EDITABLE = ("draft", "in_review", "revised")
KINDS = ("district", "city")

# The fields a revision records, in the BO form's order. Locations are a list of places;
# cost items a list of {"item": str, "amount": int} in whole złoty.
CONTENT_FIELDS = (
    "kind",
    "title",
    "short_description",
    "category_id",
    "area_id",
    "locations",
    "description",
    "justification",
    "beneficiaries",
    "cost_items",
    "deliverable_in_year",
)


class Draft(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("budget_edition.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    # The number of the current revision: a save must name it, or it is a conflict.
    version: Mapped[int] = mapped_column(default=1)
    # The current content (the latest revision's), kept in columns so lists can filter on it.
    kind: Mapped[str] = mapped_column(String(16), default="district")
    title: Mapped[str] = mapped_column(String(200), default="")
    short_description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    locations: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    justification: Mapped[str] = mapped_column(Text, default="")
    beneficiaries: Mapped[str] = mapped_column(Text, default="")
    cost_items: Mapped[list] = mapped_column(JSON, default=list)
    deliverable_in_year: Mapped[bool | None] = mapped_column()
    # Promoted from this thread (a thread becomes at most one draft); None: started on its own.
    source_thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    edition: Mapped[BudgetEdition] = relationship()
    category: Mapped[Category | None] = relationship()
    area: Mapped[Area] = relationship()
    source_thread: Mapped[Thread | None] = relationship(back_populates="draft")
    created_by: Mapped[User] = relationship()
    authors: Mapped[list[DraftAuthor]] = relationship(
        back_populates="draft", order_by="DraftAuthor.id", cascade="all, delete-orphan"
    )
    source_posts: Mapped[list[DraftSourcePost]] = relationship(
        order_by="DraftSourcePost.post_id", cascade="all, delete-orphan"
    )
    unit_tags: Mapped[list[UnitTag]] = relationship(  # noqa: F821  (forum.units.models)
        "UnitTag",
        primaryjoin="and_(UnitTag.draft_id == Draft.id, UnitTag.removed_at.is_(None))",
        viewonly=True,
        order_by="UnitTag.id",
    )

    @property
    def cost_total(self) -> int:
        return sum(item["amount"] for item in self.cost_items)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    def content(self) -> dict:
        """The current content, as a revision records it."""
        return {field: getattr(self, field) for field in CONTENT_FIELDS}

    def is_author(self, user) -> bool:
        """An author or a co-author who accepted the invitation."""
        return user.is_authenticated and any(
            a.user_id == user.id and a.accepted_at is not None for a in self.authors
        )


class DraftAuthor(db.Model):
    """The draft's first author, or a co-author: invited, then accepted (a declined or removed
    invitation is deleted)."""

    __table_args__ = (UniqueConstraint("draft_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="coauthor")  # "author" or "coauthor"
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    draft: Mapped[Draft] = relationship(back_populates="authors")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None


class DraftRevision(db.Model):
    """Every save of a draft: the whole content as it was then, numbered from 1."""

    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"))
    number: Mapped[int] = mapped_column()
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    content: Mapped[dict] = mapped_column(JSON)
    # Why it was saved, beside an edit: "promoted from the thread", "accepted ZZM's change" …
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()


class DraftStatusChange(db.Model):
    """Every move of a draft's status, with who moved it and their words."""

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))  # None: created
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    message: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship()


class DraftSourcePost(db.Model):
    """A post of the source thread the draft draws on (cited on the draft's page)."""

    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), primary_key=True)

    post: Mapped[Post] = relationship()
