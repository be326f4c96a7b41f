import asyncio
import threading

from asgiref.wsgi import WsgiToAsgi
from flask import Flask, g

# --8<-- [start:app]
app = Flask(__name__)


@app.before_request
def remember_the_request_thread():
    # A plain function: it runs on the thread that took the request.
    g.request_thread = threading.get_ident()


# --8<-- [end:app]


# --8<-- [start:gather]
async def fetch(name, seconds, finished):
    await asyncio.sleep(seconds)  # stands in for a call to a service
    finished.append(name)


@app.get("/gather")
async def gather():
    finished = []
    await asyncio.gather(
        fetch("slow", 0.3, finished),
        fetch("fast", 0.1, finished),
        fetch("medium", 0.2, finished),
    )
    on_request_thread = threading.get_ident() == g.request_thread
    return {
        "started": ["slow", "fast", "medium"],
        "finished": finished,
        "view_ran_on_the_request_thread": on_request_thread,
    }


# --8<-- [end:gather]


# --8<-- [start:threads]
@app.get("/wait/<int:ms>")
async def wait(ms):
    await asyncio.sleep(ms / 1000)
    return {
        "request_thread": g.request_thread,
        "loop_thread": threading.get_ident(),
    }


@app.get("/sync")
def sync_view():
    on_request_thread = threading.get_ident() == g.request_thread
    return {"view_ran_on_the_request_thread": on_request_thread}


# --8<-- [end:threads]


# --8<-- [start:asgi]
# The same app for an ASGI server:
#   uvicorn snippets.async_views.app:asgi_app
asgi_app = WsgiToAsgi(app)
# --8<-- [end:asgi]
