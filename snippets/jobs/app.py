import json
import logging
import math
import os
import sqlite3

import click
from flask import Flask, abort, current_app, g, request, url_for
from huey import SqliteHuey
from werkzeug.exceptions import HTTPException

LARGEST = 10_000_000
STEP = 1_000_000  # numbers one step of a job checks


# --8<-- [start:work]
def count_primes_between(start, stop):
    """The slow part: count the primes n with start <= n < stop, with a sieve."""
    sieve = bytearray([1]) * (stop - start)  # a flag per number: "prime"
    for n in range(2, math.isqrt(stop - 1) + 1):
        first = max(n * n, -(-start // n) * n)  # n's first multiple in the range
        sieve[first - start :: n] = bytes(len(range(first, stop, n)))
    for k in range(start, min(stop, 2)):  # 0 and 1 are not primes
        sieve[k - start] = 0
    return sum(sieve)


# --8<-- [end:work]


def get_db():
    """One SQLite connection per app context, as in Flask's tutorial."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"], timeout=10)
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(exception=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def create_app(test_config=None):
    app = Flask(__name__)
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "jobs.sqlite"),
        HUEY_IMMEDIATE=False,
        WORKER_STEP_URL=False,
    )
    app.config.from_prefixed_env()  # FLASK_DATABASE=/srv/jobs.sqlite sets DATABASE
    if test_config:
        app.config.update(test_config)
    os.makedirs(os.path.dirname(app.config["DATABASE"]), exist_ok=True)

    # --8<-- [start:queue]
    # The queue is kept in tables of the app's own SQLite file: no server to run.
    huey = SqliteHuey(
        "jobs",
        filename=app.config["DATABASE"],
        immediate=app.config["HUEY_IMMEDIATE"],  # True: run jobs inline
        results=False,  # the job table below keeps what clients see
    )
    app.extensions["huey"] = huey
    # --8<-- [end:queue]

    app.teardown_appcontext(close_db)

    # --8<-- [start:table]
    with app.app_context():
        get_db().execute(
            "CREATE TABLE IF NOT EXISTS job ("
            " id INTEGER PRIMARY KEY,"  # 1, 2, 3...: the id clients poll
            " below INTEGER NOT NULL,"
            " status TEXT NOT NULL DEFAULT 'queued',"
            " checked INTEGER NOT NULL DEFAULT 0,"  # numbers checked so far
            " found INTEGER NOT NULL DEFAULT 0,"  # primes found so far
            " result TEXT)"  # JSON, once the job has finished
        )
    # --8<-- [end:table]

    # --8<-- [start:task]
    @huey.task()
    def run_job(job_id):
        """One step of a job: the next STEP numbers, then back into the queue."""
        with app.app_context():
            db = get_db()
            job = db.execute("SELECT * FROM job WHERE id = ?", [job_id]).fetchone()
            db.execute("UPDATE job SET status = 'running' WHERE id = ?", [job_id])
            db.commit()
            start, stop = job["checked"], min(job["checked"] + STEP, job["below"])
            try:
                found = job["found"] + count_primes_between(start, stop)
            except Exception as exc:
                db.execute(
                    "UPDATE job SET status = 'failed', result = ? WHERE id = ?",
                    [json.dumps({"error": repr(exc)}), job_id],
                )
                db.commit()
                return
            db.execute("UPDATE job SET checked = ?, found = ? WHERE id = ?", [stop, found, job_id])
            if stop < job["below"]:
                db.commit()
                # The next step, ahead of jobs not yet started:
                run_job(job_id, priority=1)
                return
            result = {"below": job["below"], "primes": found}
            db.execute(
                "UPDATE job SET status = 'done', result = ? WHERE id = ?",
                [json.dumps(result), job_id],
            )
            db.commit()

    # --8<-- [end:task]

    # --8<-- [start:enqueue]
    @app.post("/api/primes")
    def start_job():
        data = request.get_json(silent=True)
        below = data.get("below") if isinstance(data, dict) else None
        # type(), not isinstance(): True and False are ints to isinstance()
        if type(below) is not int or not 2 <= below <= LARGEST:
            abort(400, f"'below' must be a whole number from 2 to {LARGEST}.")
        db = get_db()
        job_id = db.execute("INSERT INTO job (below) VALUES (?)", [below]).lastrowid
        db.commit()  # before enqueueing: a worker may take the job at once
        run_job(job_id)  # puts the job in the queue and returns
        url = url_for("job_status", job_id=job_id)
        return {"id": job_id, "status_url": url}, 202, {"Location": url}

    # --8<-- [end:enqueue]

    # --8<-- [start:status]
    @app.get("/api/jobs/<int:job_id>")
    def job_status(job_id):
        db = get_db()
        job = db.execute("SELECT * FROM job WHERE id = ?", [job_id]).fetchone()
        if job is None:
            abort(404, f"There is no job {job_id}.")
        body = {"id": job["id"], "status": job["status"]}
        if job["status"] == "running":  # how far it has got
            body.update(checked=job["checked"], below=job["below"])
        if job["result"] is not None:
            body["result"] = json.loads(job["result"])
        return body

    # --8<-- [end:status]

    # --8<-- [start:worker]
    @app.cli.command("worker")
    @click.option("--workers", default=2, help="How many jobs to run at once.")
    def worker(workers):
        """Run queued jobs until stopped with Ctrl+C."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
        huey.create_consumer(workers=workers).run()

    # --8<-- [end:worker]

    # --8<-- [start:step]
    if app.config["WORKER_STEP_URL"]:  # for demos and builds only, never in production

        @app.post("/api/worker/step")
        def worker_step():
            """Do what a worker does once: take the next task and run it."""
            task = huey.dequeue()
            if task is None:
                return {"ran": None}
            huey.execute(task)
            return {"ran": task.name, "args": list(task.args)}
    # --8<-- [end:step]

    @app.errorhandler(HTTPException)
    def error_as_json(error):
        headers = [(k, v) for k, v in error.get_headers() if k != "Content-Type"]
        return {"error": error.name, "message": error.description}, error.code, headers

    return app
