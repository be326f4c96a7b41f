"""Start a real server process on loopback and read its port from the line it logs."""

import contextlib
import os
import queue
import re
import subprocess
import threading
import time

import pytest

START_TIMEOUT = 30  # seconds a server may take to come up


def clean_env(**extra):
    """The environment without FLASK_*, GUNICORN_* or WEB_CONCURRENCY, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FLASK_", "GUNICORN_")) and k != "WEB_CONCURRENCY"
    }
    env.update(extra)
    return env


@contextlib.contextmanager
def serve(args, port_pattern, *, cwd, env):
    """Run ``args``; yield the port from the first output line matching ``port_pattern``.

    The process is stopped on exit, and what it printed is in the failure message if it
    dies or never logs the line.
    """
    proc = subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines, seen = queue.Queue(), []

    def drain():
        for line in proc.stdout:
            seen.append(line)
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            left = deadline - time.monotonic()
            try:
                line = lines.get(timeout=max(left, 0.01))
            except queue.Empty:
                pytest.fail(f"{args[0]} did not log {port_pattern!r}:\n{''.join(seen)}")
            if line is None:
                pytest.fail(f"{args[0]} exited ({proc.wait()}):\n{''.join(seen)}")
            if match := re.search(port_pattern, line):
                break
        yield int(match[1])
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        reader.join(timeout=10)
        proc.stdout.close()
