"""Translations: one catalogue per package, merged by Flask-Babel.

Message ids are English; ``zh_CN`` is the default language.  ``registry/translations`` holds
the strings of the foundation (core, accounts, subjects, admin, review, public and the shared
templates); every later domain package keeps its own ``<package>/translations/zh_Hans_CN/LC_MESSAGES/
messages.po``, so that work on one package never conflicts with another.  A string already
translated anywhere needs no second entry.  ``python -m registry.core.i18n missing`` prints the
untranslated strings as .po stubs.  The Chinese catalogues sit in ``zh_Hans_CN`` folders: Babel
names the ``zh_CN`` locale so, and gettext looks for that name.  ``compile_catalogues`` turns the .po
files into .mo files (``make`` runs it);
``tests/test_i18n.py`` fails when a wrapped string has no Chinese translation.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def translation_directories() -> list[str]:
    return sorted(str(path) for path in PACKAGE_ROOT.glob("**/translations") if path.is_dir())


def compile_catalogues() -> int:
    """Compile every messages.po whose .mo is missing or older; returns how many were compiled."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = 0
    for po_path in PACKAGE_ROOT.glob("**/translations/*/LC_MESSAGES/messages.po"):
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
    from babel.messages.extract import extract_from_dir

    project = PACKAGE_ROOT.parent
    found: dict[str, list[str]] = {}
    method_map = [("registry/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
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


def missing_translations(locale: str = "zh_Hans_CN") -> dict[str, list[str]]:
    """Message ids that no catalogue of ``locale`` translates."""
    from babel.messages.pofile import read_po

    translated: set[str] = set()
    for po_path in PACKAGE_ROOT.glob(f"**/translations/{locale}/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale)
        translated.update(
            message.id if isinstance(message.id, str) else message.id[0]
            for message in catalog if message.id and message.string and all(message.string)
            if not message.fuzzy
        )
    return {msgid: where for msgid, where in extract_messages().items() if msgid not in translated}


def _print_missing() -> None:
    """Print the missing Chinese entries as .po stubs, to paste into a package's catalogue."""
    for msgid, where in sorted(missing_translations().items(), key=lambda item: item[1][0]):
        escaped = msgid.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        print(f"#: {' '.join(where[:3])}\nmsgid \"{escaped}\"\nmsgstr \"\"\n")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["missing"]:
        _print_missing()
    else:
        print(f"compiled {compile_catalogues()} catalogue(s)")
