from flask import Flask, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app(test_config=None):
    app = Flask(__name__)
    if test_config:
        app.config.update(test_config)

    # --8<-- [start:proxy]
    # Nginx is the one proxy in front of the app: trust one hop of its headers.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    # --8<-- [end:proxy]

    # --8<-- [start:health]
    @app.get("/health")
    def health():
        # Cheap and dependency-free: it says the process can answer requests.
        return {"status": "ok"}, 200, {"Cache-Control": "no-store"}

    # --8<-- [end:health]

    # --8<-- [start:request_info]
    @app.get("/request-info")
    def request_info():
        return {
            "remote_addr": request.remote_addr,
            "scheme": request.scheme,
            "host": request.host,
            "health_url": url_for("health", _external=True),
        }

    # --8<-- [end:request_info]

    return app
