"""Sections of the subject pages, contributed by the packages that hold records.

The public subject page (and the officer's) shows everything about a subject; each package
registers a section: a template and a function that loads its context.  ``public`` is True on
the public page, where only published information may appear.
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


SUBJECT_SECTIONS: Registry[SubjectSection] = Registry("subject-page section")


def register_subject_section(name: str, *, order: int, template: str):
    def decorator(load):
        SUBJECT_SECTIONS.add(SubjectSection(name, order, template, load))
        return load

    return decorator


def sections_for(subject, *, public: bool) -> list[tuple[SubjectSection, dict]]:
    """The sections to render, each with its loaded context (empty ones left out)."""
    loaded = []
    for section in SUBJECT_SECTIONS.ordered():
        context = section.load(subject, public=public)
        if context:
            loaded.append((section, context))
    return loaded
