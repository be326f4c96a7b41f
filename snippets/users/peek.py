"""What anyone holding a session cookie can read: no secret key needed."""

import base64
import json
import zlib

from flask import Blueprint, request

peek = Blueprint("peek", __name__)


# --8<-- [start:decode]
def read_without_key(cookie):
    """The data in a Flask session cookie, read the way anyone can: no key involved."""
    compressed = cookie.startswith(".")  # a leading dot marks a zlib-compressed payload
    payload = cookie.lstrip(".").split(".")[0]  # the part before the timestamp and signature
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if compressed:
        data = zlib.decompress(data)
    return json.loads(data)


@peek.get("/peek.json")
def show_session():
    cookie = request.cookies.get("session")
    if cookie is None:
        return {"cookie": None}
    return {"cookie": cookie, "anyone_can_read": read_without_key(cookie)}


# --8<-- [end:decode]
