"""Translations: one catalogue, extracted and compiled with pybabel.

Message ids are English; ``zh_CN`` is the default language.  Every Chinese translation lives in
one file, ``registry/translations/zh_Hans_CN/LC_MESSAGES/messages.po`` (Babel names the ``zh_CN``
locale ``zh_Hans_CN``, and gettext looks for that folder), so that a text has exactly one
translation: per-package catalogues merged at run time let two packages translate the same text
two ways, and the last directory read won.  The file is sorted by msgid and carries no source
locations, so that branches adding strings touch separate lines.

``make translations`` runs ``pybabel extract`` (``babel.cfg``: the same files and keywords as
``extract_messages`` below), ``pybabel update`` (new strings arrive untranslated; no fuzzy guesses;
strings gone from the code leave) and ``pybabel compile``.  ``python -m registry.core.i18n missing``
prints the untranslated strings as .po stubs to fill in; ``python -m registry.core.i18n`` compiles.
``compile_catalogues`` also runs at app start, so tests and a checkout without ``make`` work; the
.mo files are build output, not committed.  ``tests/test_i18n.py`` fails when a wrapped string
has no Chinese translation, or a text has two.
"""

from __future__ import annotations

import ast
import configparser
from collections import Counter
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = PACKAGE_ROOT / "translations"


def translation_directories() -> list[str]:
    """Flask-Babel's BABEL_TRANSLATION_DIRECTORIES: the one catalogue's folder."""
    return [str(TRANSLATIONS)]


def catalogue_path(locale: str = "zh_Hans_CN") -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def compile_catalogues() -> int:
    """Compile each locale's messages.po whose .mo is missing or older; returns how many were compiled.

    The fallback for running without ``make`` (``pybabel compile`` does the same); like it, a
    fuzzy entry is left out, so a guessed translation never reaches a user.
    """
    compiled = 0
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        compiled += 1
    return compiled


def extract_messages() -> dict[str, list[str]]:
    """Every wrapped message id in the code and templates, with where it occurs."""
    project = PACKAGE_ROOT.parent
    found: dict[str, list[str]] = {}
    method_map, options = _babel_mapping(project / "babel.cfg")
    # The keywords of the Makefile's `pybabel extract` (BABEL_KEYWORDS).
    keywords = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2),
                "lazy_ngettext": (1, 2)}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(project), method_map, options, keywords=keywords,
        directory_filter=lambda path: not any(part in path for part in (".venv", "node_modules", "/.")),
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def _babel_mapping(config: Path) -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """The files to extract from and their methods, read from ``babel.cfg`` as ``pybabel`` reads it,
    so that the test and the Makefile look at the same files."""
    parser = configparser.RawConfigParser()
    parser.read(config, encoding="utf-8")
    method_map: list[tuple[str, str]] = []
    options: dict[str, dict[str, str]] = {}
    for section in parser.sections():
        method, pattern = (part.strip() for part in section.split(":", 1))
        method_map.append((pattern, method))
        options[pattern] = dict(parser.items(section))
    if not method_map:
        raise FileNotFoundError(f"{config} names no files to extract from")
    return method_map, options


def missing_translations(locale: str = "zh_Hans_CN") -> dict[str, list[str]]:
    """Message ids that the catalogue of ``locale`` does not translate (or only fuzzily)."""
    translated: set[str] = set()
    po_path = catalogue_path(locale)
    if po_path.exists():
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale)
        translated.update(
            message.id if isinstance(message.id, str) else message.id[0]
            for message in catalog if message.id and message.string and all(message.string)
            if not message.fuzzy
        )
    return {msgid: where for msgid, where in extract_messages().items() if msgid not in translated}


def duplicate_msgids(locale: str = "zh_Hans_CN") -> list[str]:
    """Message ids with more than one entry in the catalogue's text.

    Babel's reader keeps one of them without a word, so ``make translations`` checks this first:
    two translations of one text, pasted in from two branches, are a choice for a person.
    """
    entries: list[dict[str, str]] = []
    field = None
    for line in catalogue_path(locale).read_text(encoding="utf-8").splitlines():
        word, _, rest = line.strip().partition(" ")
        if word == "msgctxt" or (word == "msgid" and (not entries or "msgid" in entries[-1])):
            entries.append({})
        if word in ("msgctxt", "msgid"):
            field, entries[-1][word] = word, ast.literal_eval(rest)
        elif word.startswith("msg"):  # msgid_plural, msgstr: not part of the key
            field = None
        elif word.startswith('"') and field:
            entries[-1][field] += ast.literal_eval(line.strip())
    counts = Counter((entry.get("msgctxt"), entry.get("msgid")) for entry in entries)
    return [msgid for (_context, msgid), n in counts.items() if n > 1 and msgid]


def _print_missing() -> None:
    """Print the missing Chinese entries as .po stubs, to fill in (``make translations`` adds them
    to the catalogue itself, in msgid order; pasted stubs are sorted into place by its next run)."""
    for msgid, where in sorted(missing_translations().items(), key=lambda item: item[1][0]):
        escaped = msgid.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        print(f"#: {' '.join(where[:3])}\nmsgid \"{escaped}\"\nmsgstr \"\"\n")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["missing"]:
        _print_missing()
    elif sys.argv[1:] == ["duplicates"]:
        if twice := duplicate_msgids():
            sys.exit("translated more than once, keep one entry of each:\n" + "\n".join(map(repr, twice)))
    else:
        print(f"compiled {compile_catalogues()} catalogue(s)")
