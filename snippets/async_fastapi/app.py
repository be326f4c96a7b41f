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
        fetch("slow", 0.3, finished),
        fetch("fast", 0.1, finished),
        fetch("medium", 0.2, finished),
    )
    return {"started": ["slow", "fast", "medium"], "finished": finished}


# --8<-- [end:gather]


# --8<-- [start:wait]
@app.get("/wait/{ms}")
async def wait(ms: int):
    # Every async endpoint runs on the one thread of the event loop.
    await asyncio.sleep(ms / 1000)
    return {"loop_thread": threading.get_ident()}


# --8<-- [end:wait]
