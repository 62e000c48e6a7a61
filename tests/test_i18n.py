"""The Polish-first interface: a complete Polish catalogue, the language switch, Kraków time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext, refresh

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
PL_PO = TRANSLATIONS / "pl" / "LC_MESSAGES" / "messages.po"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
# The same keywords as `make messages` (besides Babel's defaults: _, gettext, ngettext, ...).
EXTRA_KEYWORDS = ("_l", "lazy_gettext")
PL_PLURAL_FORMS = (
    "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
# Python-format placeholders: %(name)s, %(n)d, %s, %5.1f ... ("%%" is a literal percent sign).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def compile_catalogues() -> None:
    """Compile each .po whose .mo is missing or older, as `make translations` does."""
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        partial = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=True)
        os.replace(partial, mo_path)  # atomic: a concurrent reader never sees half a file


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    compile_catalogues()


def load_catalog(path: Path):
    with path.open("rb") as po_file:
        return read_po(po_file)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages marked in the code now, extracted as `make messages` extracts them."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract"]
    command += ["-F", "babel.cfg", "-o", str(pot)]
    for keyword in EXTRA_KEYWORDS:
        command += ["-k", keyword]
    subprocess.run([*command, "."], cwd=ROOT, check=True, capture_output=True, text=True)
    return load_catalog(pot)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


def where(message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:2])


# --- the catalogues --------------------------------------------------------------------------


def test_extraction_finds_the_marked_strings(extracted):
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in extracted}
    assert "Talk about your neighbourhood" in ids  # templates
    assert "Some fields need correcting." in ids  # gettext as _ in Python
    assert "E-mail address" in ids  # lazy_gettext as _l in forms
    assert "%(num)d reply" in ids  # ngettext in templates


def test_polish_catalogue_translates_every_message_in_the_code(extracted):
    polish = load_catalog(PL_PO)
    problems = []
    for message in extracted:
        if not message.id:
            continue  # the header
        translated = polish.get(message.id, message.context)
        label = f"{message.id!r} ({where(message)})"
        if translated is None or translated.id != message.id:
            problems.append(f"missing: {label}")
            continue
        forms = [translated.string] if isinstance(translated.string, str) else translated.string
        forms = list(forms or [""])
        if message.pluralizable and len(forms) != polish.num_plurals:
            problems.append(f"needs {polish.num_plurals} plural forms: {label}")
        if not all(form and form.strip() for form in forms):
            problems.append(f"untranslated: {label}")
        elif translated.fuzzy:
            problems.append(f"fuzzy (check it, then remove the flag): {label}")
    assert not problems, (
        "Run `make messages` and translate in translations/pl/LC_MESSAGES/messages.po:\n"
        + "\n".join(problems)
    )


def test_polish_translations_keep_the_placeholders():
    polish = load_catalog(PL_PO)
    problems = []
    for message in polish:
        if not message.id or not message.string:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        needed = set().union(*(placeholders(text) for text in ids))
        for form in forms:
            lost = needed - placeholders(form)
            if lost:
                problems.append(f"{ids[0]!r} -> {form!r} lacks {', '.join(sorted(lost))}")
    assert not problems, "\n".join(problems)


def test_catalogue_headers_have_the_right_plural_rules():
    polish = load_catalog(PL_PO)
    assert str(polish.locale) == "pl"
    assert dict(polish.mime_headers)["Plural-Forms"] == PL_PLURAL_FORMS
    english = load_catalog(EN_PO)
    assert str(english.locale) == "en"
    assert english.num_plurals == 2
    assert "plural=(n != 1)" in english.plural_forms


REPLY = ("%(num)d reply", "%(num)d replies")
THREAD = ("%(num)d thread", "%(num)d threads")


@pytest.mark.parametrize(
    ("message", "count", "expected"),
    [
        (REPLY, 1, "1 odpowiedź"),
        (REPLY, 2, "2 odpowiedzi"),
        (REPLY, 5, "5 odpowiedzi"),
        (THREAD, 1, "1 wątek"),
        (THREAD, 3, "3 wątki"),
        (THREAD, 5, "5 wątków"),
        (THREAD, 12, "12 wątków"),
        (THREAD, 22, "22 wątki"),
        (THREAD, 25, "25 wątków"),
        (THREAD, 101, "101 wątków"),
    ],
)
def test_polish_plurals(app, message, count, expected):
    with app.test_request_context("/"), force_locale("pl"):
        assert ngettext(*message, count) == expected


def test_english_falls_back_to_the_english_messages(app):
    with app.test_request_context("/"), force_locale("en"):
        assert ngettext("%(num)d thread", "%(num)d threads", 1) == "1 thread"
        assert ngettext("%(num)d thread", "%(num)d threads", 2) == "2 threads"


# --- choosing the language -------------------------------------------------------------------


def fetch(client, url: str):
    """GET url. The test app's context outlives requests, so drop Flask-Babel's cached locale."""
    refresh()
    return client.get(url)


def test_home_page_is_in_polish_by_default(client):
    page = fetch(client, "/").get_data(as_text=True)
    assert '<html lang="pl">' in page
    assert "Porozmawiaj o swojej okolicy" in page
    assert "Zaloguj się" in page
    assert "Talk about your neighbourhood" not in page


def test_choosing_english_switches_the_page_and_is_remembered(client):
    response = fetch(client, "/lang/en?next=/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    assert client.get_cookie("lang").value == "en"

    page = fetch(client, "/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Talk about your neighbourhood" in page
    assert "Porozmawiaj o swojej okolicy" not in page

    fetch(client, "/lang/pl?next=/")
    page = fetch(client, "/").get_data(as_text=True)
    assert '<html lang="pl">' in page
    assert "Porozmawiaj o swojej okolicy" in page


def test_unknown_language_is_ignored(client):
    response = fetch(client, "/lang/xx?next=/")
    assert response.status_code == 302
    assert client.get_cookie("lang") is None
    assert '<html lang="pl">' in fetch(client, "/").get_data(as_text=True)

    fetch(client, "/lang/en?next=/")
    fetch(client, "/lang/xx?next=/")
    assert client.get_cookie("lang").value == "en"
    assert '<html lang="en">' in fetch(client, "/").get_data(as_text=True)


def test_a_forged_language_cookie_falls_back_to_polish(client):
    client.set_cookie("lang", "de")
    assert '<html lang="pl">' in fetch(client, "/").get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "https://evil.example/lang", "//evil.example/", "/\\evil.example"],
)
def test_language_switch_redirects_only_to_local_paths(client, target):
    response = fetch(client, f"/lang/en?next={target}")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path.startswith("/") and not location.path.startswith("//")
    assert "evil" not in response.headers["Location"]


def test_language_switch_returns_to_the_page_it_came_from(client):
    response = fetch(client, "/lang/en?next=/login%3Fnext%3D/")
    assert response.headers["Location"] == "/login?next=/"


# --- Kraków time -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "local"),
    [
        (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), "13:00"),  # CET, UTC+1
        (datetime(2026, 7, 15, 12, 0, tzinfo=UTC), "14:00"),  # CEST, UTC+2
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "01:30"),  # before the spring change
        (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "03:30"),  # after it
    ],
)
def test_times_are_shown_in_warsaw_time(app, moment, local):
    template = app.jinja_env.from_string("{{ value|local_time }}")
    with app.test_request_context("/"):
        refresh()
        shown = template.render(value=moment)
    assert local in shown
    assert "2026" in shown and str(moment.day) in shown


def test_polish_dates_use_polish_month_names(app):
    template = app.jinja_env.from_string("{{ value|local_time }}")
    with app.test_request_context("/"), force_locale("pl"):
        assert template.render(value=datetime(2026, 1, 15, 12, 0, tzinfo=UTC)) == (
            "15 sty 2026, 13:00"
        )
    with app.test_request_context("/"), force_locale("en"):
        assert template.render(value=datetime(2026, 1, 15, 12, 0, tzinfo=UTC)) == (
            "15 Jan 2026, 13:00"
        )
