import asyncio
import threading

from fastapi import FastAPI

app = FastAPI()


# --8<-- [start:gather]
async def fetch(name, seconds, finished):
    await asyncio.sleep(seconds)
    finished.append(name)


@app.get("/gather")
async def gather():
    finished = []
    await asyncio.gather(
        fetch("slow", 0.06, finished),
        fetch("fast", 0.02, finished),
        fetch("medium", 0.04, finished),
    )
    return {"started": ["slow", "fast", "medium"], "finished": finished}
# --8<-- [end:gather]


# --8<-- [start:wait]
@app.get("/wait")
async def wait():
    # Every async endpoint runs on the one thread of the event loop.
    await asyncio.sleep(0.2)
    return {"loop_thread": threading.get_ident()}
# --8<-- [end:wait]
