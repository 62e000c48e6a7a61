"""What a new password must be: long enough, not common, not the person's own e-mail or name.

Checked where a password is set, never at login (an old password still logs in).
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

PASSWORD_MIN_LENGTH = 10
# Django's list of the 20,000 most common passwords, lowercased (see common-passwords.LICENSE).
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")
# Shorter pieces of an e-mail or a name ("ola", "jan") occur in ordinary passwords by chance.
PERSONAL_PIECE_MIN_LENGTH = 4


@cache
def common_passwords() -> frozenset[str]:
    """Read once, on the first password set (about 20,000 lines)."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines)


def _pieces(email: str, display_name: str) -> tuple[list[str], list[str]]:
    """The e-mail, its local part and the parts of that; the name and its words: casefolded."""
    email = email.casefold()
    local = email.partition("@")[0]
    name = display_name.casefold()
    from_email = [email, local, *re.split(r"[._+\-]+", local)]
    from_name = [name, *name.split()]
    long_enough = [
        [piece for piece in pieces if len(piece) >= PERSONAL_PIECE_MIN_LENGTH]
        for pieces in (from_email, from_name)
    ]
    return long_enough[0], long_enough[1]


def check_password(password: str, email: str = "", display_name: str = "") -> str | None:
    """What is wrong with the password for this person, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return _("The password needs at least %(num)d characters.", num=PASSWORD_MIN_LENGTH)
    if len(set(password)) <= 2:
        return _("The password repeats one or two characters; use more different ones.")
    if password.lower().strip() in common_passwords():
        return _("This password is one of the most common ones; choose another.")
    folded = password.casefold()
    from_email, from_name = _pieces(email or "", display_name or "")
    if any(piece in folded for piece in from_email):
        return _("The password contains your e-mail address; choose another.")
    if any(piece in folded for piece in from_name):
        return _("The password contains your name; choose another.")
    return None
