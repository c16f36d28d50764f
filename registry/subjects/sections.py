"""Sections of the subject pages, contributed by the packages that hold records.

The public subject page (and the officer's) shows everything about a subject; each package
registers a section: a template and a function that loads its context.  ``public`` is True on
the public page, where only published information may appear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SubjectSection:
    name: str
    order: int
    template: str
    load: Callable[..., dict]  # load(subject, public: bool) -> template context, or {} to hide


SUBJECT_SECTIONS: list[SubjectSection] = []


def register_subject_section(name: str, *, order: int, template: str):
    def decorator(load):
        if all(section.name != name for section in SUBJECT_SECTIONS):
            SUBJECT_SECTIONS.append(SubjectSection(name, order, template, load))
            SUBJECT_SECTIONS.sort(key=lambda section: section.order)
        return load

    return decorator


def sections_for(subject, *, public: bool) -> list[tuple[SubjectSection, dict]]:
    """The sections to render, each with its loaded context (empty ones left out)."""
    loaded = []
    for section in SUBJECT_SECTIONS:
        context = section.load(subject, public=public)
        if context:
            loaded.append((section, context))
    return loaded
