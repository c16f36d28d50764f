"""The loser of an approval race is told the truth, the same on both databases.

Two reviewers decide the same item at the same moment through the review queue of a served
application (a real server, one database connection per request).  Exactly one wins; the other
reads "changed by someone else" -- on SQLite, where the second request waits for the first one's
write lock and then reads the item already decided, as on PostgreSQL, where both read it undecided
and the second one's conditional UPDATE finds nothing to change.  Before, SQLite's loser read
"not possible in the record's current state" for a disclosure, and a rule about the record for a
removal.  Runs on the database the tests run on (a database of its own on the same server).
"""

from __future__ import annotations

import threading

from registry.core.removals import prepare_removal
from registry.listing.models import EntryStatus
from registry.objections import operations as objections
from tests.served import own_database, request, served_app, session_cookie, sign_in

STALE = "changed by someone else"
# What the loser read before (on SQLite): a rule about a state it never saw.
UNTRUE = ("not possible in the record", "changed after this removal was prepared")
ROUNDS = 3  # items of each kind: a race has no fixed winner, so run it more than once


def _pending_objection_decision(make, clerk):
    objection, _code = make.objection(make.entry("published"))
    objections.accept(objection, clerk, objection.version)
    objections.prepare_decision(objection, clerk, objection.version, "dismissed", "理由充分，异议不成立。")
    return objection


def _setup(make):
    reviewers = [make.user("reviewer") for _ in range(2)]
    clerk = make.user("clerk")
    items = []
    for _ in range(ROUNDS):
        published = make.entry("published")
        removal = prepare_removal(published, actor=clerk, expected_version=published.version, reason="决定已被撤销。")
        objection = _pending_objection_decision(make, clerk)
        items += [("list_entry", make.entry(EntryStatus.PENDING_REVIEW)),
                  ("disclosure", make.disclosure("pending_review")),
                  ("case", make.case("pending_review")),
                  ("credit_evaluation", make.evaluation(status="pending_review")),
                  ("removal", removal),
                  ("objection", objection)]
    return {"reviewers": [reviewer.email for reviewer in reviewers],
            "items": [(kind, record.id, record.version) for kind, record in items]}


def _race(port: int, cookies: list[str], kind: str, item_id: int, version: int) -> list[str]:
    """Both reviewers approve at once; each one's next page (the flash travels in the cookie)."""
    barrier = threading.Barrier(len(cookies))
    pages: dict[int, str] = {}
    errors = []

    def approve(number: int, cookie: str) -> None:
        try:
            barrier.wait(timeout=60)
            answer = request(port, "POST", f"/review/{kind}/{item_id}/approve", form={"version": str(version)},
                             cookie=cookie)
            assert answer.status == 302, (answer.status, answer.text[:300])
            pages[number] = request(port, "GET", "/review/", cookie=session_cookie(answer) or cookie).text
        except Exception as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=approve, args=(n, cookie)) for n, cookie in enumerate(cookies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return [pages[n] for n in range(len(cookies))]


def test_the_loser_of_every_kind_of_approval_race_is_told_it_changed(tmp_path):
    with own_database(tmp_path) as url, served_app(tmp_path, setup=_setup, database_url=url) as served:
        cookies = [sign_in(served.port, email) for email in served.extra["reviewers"]]
        told = {}
        for kind, item_id, version in served.extra["items"]:
            pages = _race(served.port, cookies, kind, item_id, version)
            told.setdefault(kind, []).append(sorted(STALE in page for page in pages))
            assert not [text for text in UNTRUE for page in pages if text in page], kind
    assert told == {kind: [[False, True]] * ROUNDS for kind in told}
    assert len(told) == 6
