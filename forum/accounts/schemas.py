"""Shapes of people: as others see them, and logging in."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from forum.accounts.models import User as Account
from forum.schemas import Id, Input, Shape


class Badge(Shape):
    """A role shown beside a user's name."""

    role: Literal["ambassador", "expert", "admin"]
    scope: str = Field(description='Area or unit, e.g. "XIII Podgórze".')


class Person(Shape):
    """Who someone is, in presence lists and typing signals."""

    id: Id
    display_name: str


class User(Person):
    """A user as others see them."""

    badges: list[Badge]


class Credentials(Input):
    email: str
    password: str


class SessionAnswer(Shape):
    user: User | None = Field(description="The logged-in user, or null for a guest.")


class LoggedIn(Shape):
    user: User


def person_view(account: Account) -> Person:
    return Person(id=account.id, display_name=account.display_name)


def user_view(account: Account) -> User:
    return User(
        id=account.id,
        display_name=account.display_name,
        badges=[Badge(role=role, scope=scope) for role, scope in account.badges()],
    )
