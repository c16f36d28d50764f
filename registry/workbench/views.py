"""``/workbench``: per section of the officer's role, the lines packages registered, each a count
linking to the list that holds exactly those items; a section with nothing to count says so."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template
from flask_login import current_user

from registry.core import clock
from registry.core.permissions import Role, officer_required
from registry.core.workbench import WORK_LINES, WORK_SECTIONS, WorkLine, WorkSection

bp = Blueprint("workbench", __name__)


@dataclass
class SectionView:
    section: WorkSection
    lines: list[WorkLine]

    @property
    def empty(self) -> bool:
        return not self.shown

    @property
    def shown(self) -> list[WorkLine]:
        return [line for line in self.lines if line.count or line.always]


def build_workbench(user, today) -> list[SectionView]:
    """The sections ``user``'s role has, in order, with their lines (those counting nothing kept,
    so that a section can show its zeroes; the template leaves them out)."""
    role = Role(user.role)
    views = []
    for section in WORK_SECTIONS.ordered():
        if role not in section.roles:
            continue
        lines = []
        for contribution in sorted((c for c in WORK_LINES.values() if c.section == section.name),
                                   key=lambda c: c.order):
            lines.extend(contribution.load(user, today))
        views.append(SectionView(section, sorted(lines, key=lambda line: line.order)))
    return views


@bp.route("/workbench")
@officer_required
def index():
    today = clock.today()
    return render_template("workbench/index.html", sections=build_workbench(current_user, today), today=today)
