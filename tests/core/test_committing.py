"""``core.web.committing``: the one commit of a request, and the rollback of a refusal."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages

from registry.core.errors import PermissionDenied
from registry.core.web import committing, perform
from registry.subjects.models import Subject


def _names(db) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(Subject.name)))


def test_the_block_is_committed_when_it_ends(db, make):
    with committing():
        make.subject(name="已提交有限公司")
    db.session.rollback()  # nothing left to roll back: it was committed
    assert "已提交有限公司" in _names(db)


def test_a_refusal_rolls_the_block_back_and_goes_on(db, make):
    with pytest.raises(PermissionDenied), committing():
        make.subject(name="被拒绝有限公司")
        raise PermissionDenied("no")
    assert "被拒绝有限公司" not in _names(db)


def test_perform_flashes_the_refusal_and_stores_nothing(app, db, make):
    def refused():
        make.subject(name="未保存有限公司")
        raise PermissionDenied("not yours")

    with app.test_request_context("/"):
        ok, error = perform(refused)
        assert not ok and isinstance(error, PermissionDenied)
        assert get_flashed_messages(with_categories=True) == [("error", "not yours")]
    assert "未保存有限公司" not in _names(db)
