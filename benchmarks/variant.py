"""Bench only: the fork server's preload with one piece of speed machinery turned off.

``bench.py`` runs a build whose worker pool preloads this module in place
of ``site_app.execute.warmup``; the fork server inherits the build's
environment, and ``FFG_BENCH_WITHOUT`` says what to leave out:

- ``warm-up``: the warm-up run is not done (and so neither is its ``gc.freeze()``);
- ``gc-freeze``: the warm-up runs, its ``gc.freeze()`` does nothing;
- ``jinja-cache``: workers compile every template again for each app they load
  (``site_app.execute.worker._COMPILED`` is None, Jinja's default).

Nothing of the library changes; a build that does not preload this module is
the library as shipped.
"""

from __future__ import annotations

import gc
import importlib
import os

WITHOUT = os.environ.get("FFG_BENCH_WITHOUT", "")
CHOICES = ("warm-up", "gc-freeze", "jinja-cache")
if WITHOUT not in CHOICES:
    raise RuntimeError(f"FFG_BENCH_WITHOUT must be one of {', '.join(CHOICES)}, not {WITHOUT!r}")

if WITHOUT == "jinja-cache":
    worker = importlib.import_module("site_app.execute.worker")
    if hasattr(worker, "_COMPILED"):
        worker._COMPILED = None
if WITHOUT == "gc-freeze":
    freeze = gc.freeze
    gc.freeze = lambda: None
    try:
        importlib.import_module("site_app.execute.warmup")
    finally:
        gc.freeze = freeze
elif WITHOUT != "warm-up":
    importlib.import_module("site_app.execute.warmup")
