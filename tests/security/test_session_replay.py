"""A session cookie copied into another browser is not a session.

Flask-Login's "strong" session protection binds the signed-in session to the browser it was made
in (its address and User-Agent, hashed into the session): a cookie replayed from a different
browser or address is dropped and the request is anonymous.  The address is the client's own
behind the configured proxies (tests/core/test_proxy.py).
"""

from __future__ import annotations

from tests.factories import TEST_PASSWORD

BROWSER_A = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 officer-desktop"}
BROWSER_B = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Firefox/133.0 somewhere-else"}
HOME = {"REMOTE_ADDR": "10.20.30.40"}
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}


def _sign_in(client, user) -> str:
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD},
                           headers=BROWSER_A, environ_base=HOME)
    assert response.status_code == 302
    return client.get_cookie("session").value


def _review_page(client, cookie: str, headers: dict, environ: dict):
    client.set_cookie("session", cookie)
    return client.get("/review/", headers=headers, environ_base=environ)


def test_the_same_browser_keeps_its_session(app, client, make):
    cookie = _sign_in(client, make.user("reviewer"))
    assert _review_page(client, cookie, BROWSER_A, HOME).status_code == 200


def test_a_cookie_replayed_from_another_browser_is_anonymous(app, client, make):
    cookie = _sign_in(client, make.user("reviewer"))
    with app.test_client() as thief:
        response = _review_page(thief, cookie, BROWSER_B, HOME)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_replayed_from_another_address_is_anonymous(app, client, make):
    cookie = _sign_in(client, make.user("reviewer"))
    with app.test_client() as thief:
        response = _review_page(thief, cookie, BROWSER_A, ELSEWHERE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# the address is the one the proxy settings establish (``request.remote_addr``), never
# the first entry of an X-Forwarded-For header that the client wrote itself.

def test_a_forged_forwarded_for_naming_the_victims_address_does_not_replay_the_session(app, client, make):
    cookie = _sign_in(client, make.user("reviewer"))
    with app.test_client() as thief:
        response = _review_page(thief, cookie, {**BROWSER_A, "X-Forwarded-For": HOME["REMOTE_ADDR"]}, ELSEWHERE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_forwarded_for_header_does_not_unbind_the_owners_own_session(app, client, make):
    # What a client writes there is no part of its identity: the owner keeps the session whatever it says.
    cookie = _sign_in(client, make.user("reviewer"))
    for forwarded in ("198.51.100.7", "10.20.30.40, 198.51.100.7", "garbage"):
        response = _review_page(client, cookie, {**BROWSER_A, "X-Forwarded-For": forwarded}, HOME)
        assert response.status_code == 200, forwarded


def test_a_session_signed_in_with_a_forwarded_for_is_bound_to_the_real_address(app, client, make):
    user = make.user("reviewer")
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD},
                           headers={**BROWSER_A, "X-Forwarded-For": "192.0.2.55"}, environ_base=HOME)
    assert response.status_code == 302
    cookie = client.get_cookie("session").value
    with app.test_client() as thief:  # the address the header named, not the one that signed in
        stolen = _review_page(thief, cookie, {**BROWSER_A, "X-Forwarded-For": "192.0.2.55"},
                              {"REMOTE_ADDR": "192.0.2.55"})
    assert stolen.status_code == 302 and "/login" in stolen.headers["Location"]
    assert _review_page(client, cookie, BROWSER_A, HOME).status_code == 200
