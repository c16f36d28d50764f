"""No page shows a link its reader may not follow.

For the public and every role, on the demo data: start at the landing page, follow every same-site
GET link the pages show, and fail on any link that answers 4xx or 5xx.  One page per URL pattern
(numbers collapsed, query values dropped) keeps it to a few hundred requests per role.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from registry.core.seeding import DEMO_STEPS, SEED_STEPS

MAX_REQUESTS = 3000
# Downloads: one of each pattern is enough (they are slow to make and show no links).
FILE = re.compile(r"\.(pdf|csv|xlsx|json)$|/files?(/|$)")
# Links that act rather than show (sign-out is a POST form anyway) or switch language only.
SKIPPED = re.compile(r"^/(logout|static/)")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href and not href.startswith(("#", "mailto:", "tel:", "javascript:")):
                self.hrefs.append(href)


def pattern(url: str) -> str:
    """The page's shape: numbers collapsed, query keys kept without their values, ``lang`` dropped."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "N", parts.path)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair} - {"lang"})
    return f"{path}?{'&'.join(keys)}"


def crawl(client, start: str = "/") -> tuple[list[tuple[str, str, int]], int]:
    """(page, link, status) of every broken link found from ``start``, and the requests made.

    Every distinct link is opened (a foreign unit's record hides among its own unit's), but only
    the first page of each pattern is read for more links, and a file pattern is opened once.
    """
    queued, read, broken, queue = {start}, set(), [], [("(start)", start)]
    files: set[str] = set()
    requests = 0
    while queue and requests < MAX_REQUESTS:
        source, url = queue.pop(0)
        response = client.get(url)
        requests += 1
        if response.status_code in (301, 302, 303, 307, 308):
            target = urlsplit(urljoin("http://localhost" + url, response.headers["Location"]))
            if target.netloc not in ("", "localhost"):
                continue
            response = client.get(target.path + (f"?{target.query}" if target.query else ""))
        if response.status_code >= 400:
            broken.append((source, url, response.status_code))
            continue
        if not response.mimetype.startswith("text/html") or pattern(url) in read:
            continue
        read.add(pattern(url))
        parser = Links()
        parser.feed(response.get_data(as_text=True))
        for href in parser.hrefs:
            link = urlsplit(urljoin("http://localhost" + url, href))
            if link.netloc != "localhost" or SKIPPED.match(link.path):
                continue
            target = link.path + (f"?{link.query}" if link.query else "")
            if FILE.search(link.path):
                if pattern(target) in files:
                    continue
                files.add(pattern(target))
            if target not in queued:
                queued.add(target)
                queue.append((url, target))
    return broken, requests


def test_no_page_shows_a_link_its_reader_may_not_follow(client, login, db):
    """The public and every role, on one load of the demo data (loading it is most of the time)."""
    for step in [*SEED_STEPS.ordered(), *DEMO_STEPS.ordered()]:
        step.run()
    db.session.flush()
    problems = []
    for role in (None, "clerk", "reviewer", "admin", "auditor"):
        if role is not None:
            login(role, unit="JJC" if role in ("clerk", "reviewer") else "XXZX")
        broken, requests = crawl(client)
        assert requests < MAX_REQUESTS, f"{role}: the crawl stopped before it had seen every link"
        problems += [f"{role or 'public'}: {status} {link}  (shown on {page})" for page, link, status in broken]
    assert problems == [], "\n".join(problems)
