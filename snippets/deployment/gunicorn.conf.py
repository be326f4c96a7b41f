# Gunicorn settings. Run from the project root:
#   gunicorn -c snippets/deployment/gunicorn.conf.py
import os

# The app to serve: Gunicorn calls the factory once in each worker.
wsgi_app = "snippets.deployment.app:create_app()"

# Only Nginx talks to Gunicorn: listen on loopback, not a public address.
bind = "127.0.0.1:8000"

# Worker processes. Gunicorn's docs suggest (2 x CPU cores) + 1 as a start;
# set WEB_CONCURRENCY on the server, measure, then tune.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# Restart a worker stuck on one request; let requests finish on restart.
timeout = 30
graceful_timeout = 30

# Logs go to stdout and stderr, where systemd or the container runtime
# collects them.
accesslog = "-"
errorlog = "-"
loglevel = "info"
