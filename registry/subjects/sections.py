"""Sections of the subject pages, contributed by the packages that hold records.

The public subject page (and the officer's) shows everything about a subject; each package
registers a section: a template and a function that loads its context.  ``public`` is True on
the public page, where only published information may appear.

A section of public records reads them on the public page from the one public read model
(``readmodel.records.public_records``, which the public page hands over as ``records``), not with
a query of its own, so that the page and the credit report built from the same records cannot
differ: it registers ``public=fn(subject, records) -> dict`` beside its officer ``load``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from registry.core.registry import Registry


@dataclass(frozen=True)
class SubjectSection:
    name: str
    order: int
    template: str
    load: Callable[..., dict]  # load(subject, public: bool) -> template context, or {} to hide
    from_records: Callable[..., dict] | None = None  # (subject, public records) -> context, public page


SUBJECT_SECTIONS: Registry[SubjectSection] = Registry("subject-page section")


def register_subject_section(name: str, *, order: int, template: str, public: Callable[..., dict] | None = None):
    def decorator(load):
        SUBJECT_SECTIONS.add(SubjectSection(name, order, template, load, public))
        return load

    return decorator


def sections_for(subject, *, public: bool, records=None) -> list[tuple[SubjectSection, dict]]:
    """The sections to render, each with its loaded context (empty ones left out).  On the public
    page (``public``) ``records`` are the subject's public records."""
    loaded = []
    for section in SUBJECT_SECTIONS.ordered():
        if public and section.from_records is not None:
            context = section.from_records(subject, records)
        else:
            context = section.load(subject, public=public)
        if context:
            loaded.append((section, context))
    return loaded
