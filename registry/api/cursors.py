"""The change feed's ``since`` cursor as the API reads it: the feed of all public changes
(``api.views``) and a key's watched changes (``api.watch_views``) take the same cursors (PRODUCT §11)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from registry.api.keys import api_error
from registry.core.changes import ChangeEvent, decode_cursor, encode_cursor
from registry.core.replicas import replica_has_reached
from registry.watch.operations import feed_head


def feed_position(since: str | None):
    """The feed position a ``since`` cursor stands for, or the error answer: 400 bad_cursor for
    what is not one of our cursors, 400 cursor_ahead for a position the feed has not reached (a
    cursor of another registry, or of a database restored from an older backup), which would
    otherwise answer nothing, silently, until the feed caught up."""
    position = 0 if since in (None, "") else decode_cursor(since)
    if position is None:
        return api_error(400, "bad_cursor", _("The since cursor is not valid: pass a cursor this API returned."))
    # A replica that has not replayed up to the cursor sends the request to the primary first: its
    # head would call a valid cursor "ahead", and its feed would answer "nothing new" (PRODUCT §11).
    replica_has_reached(sa.select(sa.func.max(ChangeEvent.id)), position)
    head = feed_head()
    if position > head:
        return api_error(400, "cursor_ahead", _(
            "The since cursor is ahead of the change feed, which ends at %(head)s: it is not a cursor of this "
            "registry's feed. Start again without since.", head=encode_cursor(head)), head=encode_cursor(head))
    return position
