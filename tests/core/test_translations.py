"""The English catalogue is complete and compiled, and the English menu carries no Chinese: a string added
in Python or a template without its translation (or a forgotten compilemessages) fails here, not in front
of an English-speaking user."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator

from techmarket.orgs.models import Role

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _entries() -> list[dict]:
    """The live entries of the .po file (obsolete ones left out): context, msgid, plural, msgstr(s), flags."""
    entries, current, field = [], None, None
    for raw in PO.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current and current.get("msgid"):
                entries.append(current)
            current, field = None, None
            continue
        if line.startswith("#~"):
            current = {"obsolete": True}
            continue
        if current is None:
            current = {"flags": set(), "msgstr": {}}
        if current.get("obsolete"):
            continue
        if line.startswith("#,"):
            current["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        else:
            keyword, _space, value = line.partition(" ") if not line.startswith('"') else (field, "", line)
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                index = keyword[7:-1] or "0"
                current["msgstr"][index] = current["msgstr"].get(index, "") + text
            else:
                current[keyword] = current.get(keyword, "") + text
            field = keyword
    return [e for e in entries if e.get("msgid")]


def test_every_message_has_a_reviewed_english_translation():
    entries = _entries()
    assert len(entries) > 3000  # the parser read the catalogue, not an empty file
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_every_named_placeholder():
    wrong = []
    for e in entries_with_placeholders():
        wanted = set(PLACEHOLDER.findall(e["msgid"]))
        for text in e["msgstr"].values():
            if set(PLACEHOLDER.findall(text)) != wanted:
                wrong.append((e["msgid"], text))
    assert wrong == []


def entries_with_placeholders() -> list[dict]:
    return [e for e in _entries() if "python-format" in e["flags"] and "msgid_plural" not in e]


def test_the_compiled_catalogue_matches_the_po_file():
    """locale/en/…/django.mo is committed: it must be compiled from the .po as it stands."""
    with MO.open("rb") as f:
        catalogue = gettext.GNUTranslations(f)
    stale = []
    for e in _entries():
        if "msgid_plural" in e:
            continue
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if catalogue._catalog.get(key) != e["msgstr"]["0"]:  # type: ignore[attr-defined]
            stale.append(e["msgid"])
    assert stale == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["enterprise", "operator"])
def test_the_english_menu_has_no_chinese_word(who):
    if who == "operator":
        user = make_operator(real_name="Operator")
    else:
        user = UserFactory(real_name="Enterprise admin")
        MembershipFactory(user=user, organization=OrganizationFactory(), role=Role.ORG_ADMIN)
    client = Client()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("core:workspace")).content.decode()
    nav = page[page.index('<nav class="navbar') : page.index("</nav>")]
    nav = re.sub(r'<a class="navbar-brand[^>]*>.*?</a>', "", nav)  # the configured site name
    assert "Contracts" in nav and "Workspace" in nav
    assert CJK.findall(nav) == []
