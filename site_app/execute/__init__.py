"""The worker side: load an app, send it requests, freeze it.

The only place Flask, Frozen-Flask, FastAPI and Django are imported. The
build reaches it through :func:`site_app.execute.worker.run_example`, named
by its dotted path, in worker processes.
"""
