"""Seeded Chinese data in the reader's language.

List categories and catalogue items are data, seeded in Chinese.  A package that seeds such names
registers an English name for each (a lazy msgid whose Chinese translation is the seeded text);
the ``data_label`` template filter shows the English name in English mode and the seeded text in
Chinese.  A name an administrator typed, or changed, is shown as it is.
"""

from __future__ import annotations

DATA_LABELS: dict[str, object] = {}


def register_data_labels(pairs: dict) -> None:
    """``{seeded Chinese text: lazy English msgid}``; the msgid's Chinese must be the same text."""
    DATA_LABELS.update(pairs)


def data_label(text) -> str:
    if text is None:
        return ""
    label = DATA_LABELS.get(str(text))
    return str(label) if label is not None else str(text)
