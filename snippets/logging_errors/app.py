import logging
import logging.config
import time
import uuid
from collections import deque

from flask import Flask, g, has_request_context, request

ORDERS = {
    "north": [120.0, 80.0, 100.0],
    "south": [],  # no orders yet: the average below divides by zero
}


# --8<-- [start:pieces]
class RequestIdFilter(logging.Filter):
    """Stamp every record with the id of the request that logged it."""

    def filter(self, record):
        in_request = has_request_context()
        record.request_id = g.get("request_id", "-") if in_request else "-"
        return True


class UTCFormatter(logging.Formatter):
    converter = time.gmtime  # times in UTC, the same on every server


class RecentLines(logging.Handler):
    """Keep the last lines in memory, for the /admin/log page."""

    def __init__(self, size=100):
        super().__init__()
        self.lines = deque(maxlen=size)

    def emit(self, record):
        self.lines.append(self.format(record))


# --8<-- [end:pieces]


# --8<-- [start:dict_config]
def configure_logging(logger_name, level):
    stamped = {"formatter": "line", "filters": ["request_id"]}
    config = {
        "version": 1,
        "disable_existing_loggers": False,  # keep libraries' loggers on
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "line": {
                "()": UTCFormatter,
                "format": "%(asctime)sZ %(levelname)s %(name)s [%(request_id)s] %(message)s",
                "datefmt": "%Y-%m-%dT%H:%M:%S",
            }
        },
        "handlers": {
            # stderr: what the service manager or the platform collects
            "stderr": {"class": "logging.StreamHandler", **stamped},
            "recent": {"()": RecentLines, **stamped},
        },
        "loggers": {
            logger_name: {"level": level, "handlers": ["stderr", "recent"]},
        },
    }
    logging.config.dictConfig(config)


# --8<-- [end:dict_config]


def create_app(test_config=None):
    # --8<-- [start:factory]
    app = Flask(__name__)
    app.config["LOG_LEVEL"] = "INFO"
    app.config.from_prefixed_env()  # FLASK_LOG_LEVEL=DEBUG: more detail
    if test_config:
        app.config.update(test_config)
    configure_logging(app.logger.name, app.config["LOG_LEVEL"])
    recent = next(h for h in app.logger.handlers if isinstance(h, RecentLines))
    # A child logger: its records go to app.logger's handlers too.
    errors = app.logger.getChild("errors")
    # --8<-- [end:factory]

    # --8<-- [start:request_id]
    @app.before_request
    def give_the_request_an_id():
        # A proxy in front may have set one; keep it, so both logs match.
        request_id = request.headers.get("X-Request-ID")
        g.request_id = request_id or uuid.uuid4().hex[:12]

    @app.after_request
    def send_the_request_id(response):
        response.headers["X-Request-ID"] = g.request_id
        return response

    # --8<-- [end:request_id]

    # --8<-- [start:views]
    @app.get("/regions/<region>/average")
    def average_order(region):
        amounts = ORDERS.get(region, [])
        app.logger.info("average asked for %s (%d orders)", region, len(amounts))
        return {"region": region, "average": sum(amounts) / len(amounts)}

    @app.get("/admin/log")
    def recent_log():
        return {"lines": list(recent.lines)}

    # --8<-- [end:views]

    # --8<-- [start:handler]
    @app.errorhandler(500)
    def internal_error(error):
        cause = error.original_exception  # what the view raised
        errors.error(
            "%s %s failed: %s: %s",
            request.method,
            request.path,
            type(cause).__name__,
            cause,
        )
        # The visitor gets the id, never the traceback; it finds the log line.
        body = {"error": "Internal Server Error", "request_id": g.request_id}
        return body, 500

    # --8<-- [end:handler]

    return app
