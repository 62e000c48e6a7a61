"""The rules for text people write: thread titles, post bodies, display names, moderation reasons.

Every service that stores such text passes it through `clean()` first: what is stored is NFC
(one spelling of "Kraków", whether the keyboard sent "ó" or "o" + combining acute), trimmed, and
measured after that. A value is refused, with a message naming the problem, when it holds

- a control character (C0, DEL, C1: NUL and friends); a body may keep its newlines and tabs,
  a one-line value (title, name, reason) may have no line break of any kind;
- a lone surrogate (half of a UTF-16 pair: it cannot be stored or sent as UTF-8);
- a bidirectional control (Unicode's Bidi_Control property, 12 code points): the embeddings,
  overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder what is shown after them, so a
  title, a name or a sentence in a post can read differently from what it says ("Trojan Source");
  they are refused everywhere. The marks (U+200E, U+200F, U+061C) reorder nothing, only nudge
  neutral characters: a body may keep them (someone quoting Arabic or Hebrew beside Polish
  needs them), a one-line value (title, name, reason) may not, as it sits inline among others;
- nothing visible: only whitespace and invisible characters (see `_is_invisible`).

Display names get one more rule, `impersonates()`: they may not spell a staff title or badge.
"""

from __future__ import annotations

import re
import unicodedata

from confusable_homoglyphs.confusables import confusables_data
from flask_babel import gettext as _

from forum.areas.krakow import EXPERT_UNITS

_BIDI_EMBEDDINGS = "\u202a-\u202e\u2066-\u2069"
_BIDI_MARKS = "\u200e\u200f\u061c"
_C0_C1 = "\x00-\x1f\x7f-\x9f"
_SURROGATES = "\ud800-\udfff"

# What a one-line value may not hold; what a body may not hold (it keeps \t and \n).
_LINE_BREAKS = "\u2028\u2029"  # LINE and PARAGRAPH SEPARATOR (C0 has \n and \r)
_FORBIDDEN_IN_LINE = re.compile(
    f"[{_C0_C1}{_LINE_BREAKS}{_SURROGATES}{_BIDI_EMBEDDINGS}{_BIDI_MARKS}]"
)
_FORBIDDEN_IN_BODY = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_SURROGATES}{_BIDI_EMBEDDINGS}]")
_NEWLINES = re.compile("\r\n?")

# Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties.txt) that Python's character
# categories do not already give away as invisible (Cf, Mn, Me, see `_is_invisible`): the Hangul
# fillers, which are letters (Lo) yet draw nothing, and the ranges still unassigned in this
# Python's Unicode version, which renderers must draw as nothing.
_IGNORABLE_LETTERS_AND_RESERVED = re.compile(
    "[\u115f\u1160\u3164\uffa0\u2065\ufff0-\ufff8\U000e0000-\U000e0fff]"
)
# Not ignorable by Unicode, yet blank on screen, and used for that: BRAILLE PATTERN BLANK and
# MUSICAL SYMBOL NULL NOTEHEAD.
_BLANK_SYMBOLS = "\u2800\U0001d159"


def _is_invisible(char: str) -> bool:
    """Whitespace, or a character that draws nothing on its own.

    Python's `unicodedata` has no Default_Ignorable_Code_Point, so this reads it off the general
    category: format characters (Cf: zero-width space and joiners, U+2060, U+FEFF, bidi controls,
    tag characters) and marks (Mn, Me: variation selectors, the combining grapheme joiner, and any
    accent with no letter to sit on), plus the few ignorables of other categories listed above.
    A category is kept up to date with Python itself; the explicit list is short and stable.
    """
    if char.isspace() or char in _BLANK_SYMBOLS:
        return True
    if unicodedata.category(char) in ("Cf", "Mn", "Me", "Cc"):
        return True
    return _IGNORABLE_LETTERS_AND_RESERVED.match(char) is not None


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def clean(value: str | None, *, multiline: bool = False) -> tuple[str, str | None]:
    """The value as it is to be stored (NFC, trimmed) and what is wrong with it, or None.

    `multiline` is for post bodies: newlines (any of \\r\\n, \\r, \\n, kept as \\n), tabs and the
    bidi marks are allowed. An empty result is not a problem here: each field has its own
    message for a missing or short value. The check is linear and cheap: one regular-expression
    scan, NFC, and a look at each distinct character.
    """
    text = (value or "").strip()
    if multiline:
        text = _NEWLINES.sub("\n", text)
    forbidden = (_FORBIDDEN_IN_BODY if multiline else _FORBIDDEN_IN_LINE).search(text)
    if forbidden:
        return text, _problem(forbidden.group())
    text = unicodedata.normalize("NFC", text).strip()
    if text and all(_is_invisible(char) for char in set(text)):
        return text, _("Write something visible: this has only invisible characters.")
    return text, None


def _problem(char: str) -> str:
    point = _code_point(char)
    if re.match(f"[{_SURROGATES}]", char):
        return _("Remove the invalid character %(char)s (half of a surrogate pair).", char=point)
    if re.match(f"[{_BIDI_EMBEDDINGS}{_BIDI_MARKS}]", char):
        return _("Remove the text direction control character %(char)s.", char=point)
    if char in f"\n\r\t{_LINE_BREAKS}":
        return _("Keep this on one line: remove the line break or tab.")
    return _("Remove the control character %(char)s.", char=point)


# --- display names that pass for staff -----------------------------------------------------

# Words a display name may not spell, so nobody passes for staff. Where they come from:
# - the role badges shown beside names (templates/macros/people.html `badge_label`, in both
#   catalogues): Ambassador/Ambasador, Expert/Ekspert, Coordinator/Koordynator BO; the feminine
#   forms (Ambasadorka, Ekspertka, Koordynatorka) contain these;
# - titles readers would trust: Administrator/Admin, Moderator, the city hall, the forum's own
#   name and the participatory budget's;
# - the expert units, codes and names (forum/areas/krakow.py EXPERT_UNITS).
# A word whose skeleton has 5 letters or more is refused anywhere in a name ("Adminka",
# "TheEkspert"); a shorter one (unit codes like "WE", "ZIS") only as a word of its own, or as the
# whole name, so "Weronika" and "Zisek" stay possible.
STAFF_WORDS = (
    "Ambasador",
    "Ambassador",
    "Ekspert",
    "Expert",
    "Koordynator",
    "Coordinator",
    "Administrator",
    "Admin",
    "Moderator",
    "Urząd Miasta",
    "City Hall",
    "Wspólne Projekty",
    "Budżet Obywatelski",
    *(word for unit in EXPERT_UNITS for word in unit),
)
_LONG_WORD = 5

# Look-alikes that Unicode's confusables leave out: letter-like digits and signs people type
# on purpose ("Adm1n", "3kspert", "@mbasador"), and Cyrillic/Greek k (mapped there to "ĸ").
_EXTRA_LOOKALIKES = {
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
    "|": "l",
    "ĸ": "k",
    "к": "k",
    "κ": "k",
}


def _lookalike_table() -> dict[int, str]:
    """Each character that looks like a Latin letter or digit → that lowercase letter or digit.

    From Unicode's confusables.txt (UTS #39) as packaged by confusable-homoglyphs: each entry
    names the prototype a character is confused with; one prototype may lead to another
    ("ł" → "l̸" → "l"), followed a few steps. Built once, when the forum starts (a fifth of
    a second: too long to do inside a request under eventlet).
    """

    def ascii_of(char: str, steps: int = 3) -> str | None:
        plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not _is_mark(c))
        if len(plain) == 1 and plain.isascii() and plain.isalnum():
            return plain.lower()
        if steps and len(plain) == 1 and plain in confusables_data:
            return ascii_of(confusables_data[plain][0]["c"], steps - 1)
        return None

    table = {}
    for char, prototypes in confusables_data.items():
        if len(char) == 1 and not (char.isascii() and char.isalpha()):
            letter = ascii_of(prototypes[0]["c"])
            if letter:
                table[ord(char)] = letter
    table.update({ord(char): letter for char, letter in _EXTRA_LOOKALIKES.items()})
    return table


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


_LOOKALIKES = _lookalike_table()


def _skeleton_words(text: str) -> list[str]:
    """The words of a text as they look, in lowercase ASCII: "Ekѕрert Z.Z.M" → ["ekspert", ...].

    Compatibility forms unfolded (NFKC: fullwidth and mathematical letters), look-alikes mapped
    before and after casefolding (capital Cyrillic "М" looks like "M", small "м" does not),
    accents and invisible characters dropped, "i" and "l" (and "I", "1", "|") made one letter,
    "rn" read as "m" and "vv" as "w". A word is a run of letters and digits.
    """
    lookalikes = _LOOKALIKES
    text = unicodedata.normalize("NFKC", text).translate(lookalikes).casefold()
    text = unicodedata.normalize("NFKD", text.translate(lookalikes))
    text = "".join(c for c in text if not _is_invisible(c) or c.isspace()).translate(lookalikes)
    text = text.replace("i", "l").replace("rn", "m").replace("vv", "w")
    return re.findall("[a-z0-9]+", text)


# (skeleton, word as written) for every staff word.
_STAFF_SKELETONS = tuple(("".join(_skeleton_words(word)), word) for word in STAFF_WORDS)


def impersonates(name: str) -> str | None:
    """The staff title or badge word the name looks like, or None."""
    words = _skeleton_words(name)
    joined = "".join(words)
    for skeleton, word in _STAFF_SKELETONS:
        if len(skeleton) >= _LONG_WORD:
            if skeleton in joined:
                return word
        elif skeleton in words or skeleton == joined:
            return word
    return None
