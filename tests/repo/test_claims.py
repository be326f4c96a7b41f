"""What a page's prose says about its own captured answers holds in those answers.

The answers are read from ``tests/outputs/``, which ``tests/build/test_review.py``
checks against a fresh build; each test names the page and the sentence it pins.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from itsdangerous import base64_decode

OUTPUTS = Path(__file__).resolve().parents[2] / "tests/outputs"

FLASK_LOGIN_KEYS = {"_user_id", "_fresh", "_id"}


def answers(page: str) -> list[tuple[str, str]]:
    """(request line, the rest of its answer) for every request an output file lists."""
    text = (OUTPUTS / page).read_text(encoding="utf-8")
    found = []
    for chunk in re.split(r"\n(?=> [A-Z]+ /)", text)[1:]:
        request, _, rest = chunk.partition("\n")
        found.append((request.removeprefix("> "), rest.split("\n## Block ")[0]))
    return found


def answer_to(page: str, request: str, nth: int = 0) -> str:
    matching = [rest for line, rest in answers(page) if line == request]
    assert len(matching) > nth, f"{page} has {len(matching)} answer(s) to {request}"
    return matching[nth]


def json_body(answer: str) -> object:
    return json.loads(answer.split("\n\n", 1)[1])


def session_cookie(answer: str) -> dict[str, object]:
    """The payload of the session cookie an answer's cookie box lists, read without the key."""
    held = re.search(r"^< \(cookie held\) session=([^;]+)", answer, re.MULTILINE)
    assert held, "no session cookie is held after this request"
    payload = held.group(1).split(".")[0]
    assert payload, "the session cookie is compressed; read it as users' peek.py does"
    data: dict[str, object] = json.loads(base64_decode(payload))
    return data


def test_users_what_flask_login_keeps_in_the_session():
    # users.md: "keeps the user's id in the session, under `_user_id`, next to two keys
    # of its own, `_fresh` and `_id`", shown by GET /peek.json.
    body = json_body(answer_to("users.txt", "GET /peek.json"))
    assert isinstance(body, dict)
    assert set(body["anyone_can_read"]) == FLASK_LOGIN_KEYS | {"csrf_token"}
    assert body["anyone_can_read"]["_user_id"] == "1"


def test_users_logout_takes_out_flask_logins_keys_only():
    # users.md: logout_user() "takes Flask-Login's three keys out of the session and
    # has the remember-me cookie deleted. The rest of the session stays".
    signed_in = answer_to("users.txt", "POST /login/")  # the one with "remember me"
    assert "< (cookie held) remember_token=" in signed_in
    after = answer_to("users.txt", "POST /logout/")
    assert "remember_token=" not in after
    assert set(session_cookie(after)) == {"_flashes", "csrf_token"}


def test_dashboards_the_margins_are_named_total():
    # dashboards.md: pandas names the margins `All`; margins_name="Total" renames them.
    table = answer_to("dashboards.txt", "GET /")
    assert table.count("<th>Total</th>") == 2  # the column's header and the row's
    assert "<th>All</th>" not in table


def test_logging_two_requests_two_ids_each_on_its_log_line():
    # logging.md: the app draws an id, or keeps the proxy's; each INFO line carries
    # the id its answer's header shows, and the 500 answer names its own.
    ids = []
    for request in ("GET /regions/north/average", "GET /regions/south/average"):
        for answer in [rest for line, rest in answers("logging.txt") if line == request]:
            ids.append(re.search(r"^< X-Request-ID: (\S+)$", answer, re.MULTILINE).group(1))
    assert len(ids) == 3
    assert len(set(ids)) == 3, f"two requests on the page share an id: {ids}"
    log = "\n".join(rest for line, rest in answers("logging.txt") if line == "GET /admin/log")
    for request_id in ids:
        assert f"[{request_id}]" in log
    assert "7d0c5e2b9a41f386" in ids  # the proxy's id, kept


def test_why_flask_jinja_escapes_and_werkzeug_redirects_to_the_one_url():
    # why-flask.md: the guestbook's <script> message shows as text, its source as
    # &lt;script&gt;; `/about` answers a redirect to `/about/`.
    page = answer_to("why-flask.txt", "GET /")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    redirect = answer_to("why-flask.txt", "GET /about")
    assert redirect.startswith("< 308 PERMANENT REDIRECT\n")
    assert re.search(r"^< Location: \S*/about/$", redirect, re.MULTILINE)
