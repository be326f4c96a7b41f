"""The deployment example, in process and behind real Gunicorn and Nginx processes.

Gunicorn and Nginx run on free loopback ports and are always stopped. Nginx is
not a Python package: install it with `apt-get install -y nginx`.
"""

import http.client
import json
import os
import queue
import re
import runpy
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from gunicorn.config import KNOWN_SETTINGS
from werkzeug.middleware.proxy_fix import ProxyFix

from snippets.deployment.app import create_app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "snippets" / "deployment"
GUNICORN_CONF = EXAMPLE / "gunicorn.conf.py"
NGINX_CONF = EXAMPLE / "nginx.conf"
START_TIMEOUT = 30  # seconds a server may take to come up
CLIENT_ADDRESS = "127.0.0.2"  # any 127.x address reaches loopback on Linux


# In process, with Flask's test client ------------------------------------------------


@pytest.fixture
def client():
    return create_app({"TESTING": True}).test_client()


def test_health_answers_ok_and_is_not_cached():
    response = create_app().test_client().get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_without_proxy_headers_the_app_sees_the_direct_client(client):
    info = client.get("/request-info", environ_base={"REMOTE_ADDR": "10.0.0.5"}).json
    assert info == {
        "remote_addr": "10.0.0.5",
        "scheme": "http",
        "host": "localhost",
        "health_url": "http://localhost/health",
    }


def test_proxy_fix_trusts_one_hop_of_forwarded_headers(client):
    headers = {
        "X-Forwarded-For": "198.51.100.1, 203.0.113.7",  # the client sent the first one
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "flask.example.org",
    }
    info = client.get("/request-info", headers=headers).json
    assert info["remote_addr"] == "203.0.113.7"
    assert info["scheme"] == "https"
    assert info["host"] == "flask.example.org"
    assert info["health_url"] == "https://flask.example.org/health"


def test_without_proxy_fix_the_headers_are_ignored():
    app = create_app()
    app.wsgi_app = app.wsgi_app.app  # unwrap ProxyFix
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    info = app.test_client().get("/request-info", headers=headers).json
    assert info["remote_addr"] == "127.0.0.1"
    assert info["scheme"] == "http"


def test_trusting_two_hops_behind_one_proxy_believes_the_client():
    app = create_app()
    app.wsgi_app = ProxyFix(app.wsgi_app.app, x_for=2)
    headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    info = app.test_client().get("/request-info", headers=headers).json
    assert info["remote_addr"] == "198.51.100.1"  # what the client wrote


# The Gunicorn settings file -----------------------------------------------------------


def read_gunicorn_settings():
    names = runpy.run_path(str(GUNICORN_CONF))
    return {k: v for k, v in names.items() if not k.startswith("__") and k != "os"}


def test_gunicorn_settings_are_all_known_to_gunicorn(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    settings = read_gunicorn_settings()
    assert set(settings) <= {setting.name for setting in KNOWN_SETTINGS}
    assert settings["wsgi_app"] == "snippets.deployment.app:create_app()"
    assert settings["bind"].startswith("127.0.0.1:")
    assert settings["workers"] == 2


def test_gunicorn_workers_follow_web_concurrency(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    assert read_gunicorn_settings()["workers"] == 5


# Real processes -----------------------------------------------------------------------


class Process:
    """A server process; a thread drains its stderr so the pipe never fills."""

    def __init__(self, name, args, *, cwd, log_dir, env=None):
        self.name = name
        self.stdout_path = log_dir / f"{name}.stdout"
        with self.stdout_path.open("w") as stdout:
            self.proc = subprocess.Popen(
                args, cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True
            )
        self.stderr = []
        self._lines = queue.Queue()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.stderr.append(line)
            self._lines.put(line)
        self._lines.put(None)  # end of output

    def output(self):
        return "".join(self.stderr)

    def wait_for_line(self, pattern, timeout=START_TIMEOUT):
        """The first stderr line matching ``pattern``; fail if the process dies first."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                pytest.fail(f"{self.name} exited ({self.proc.wait()}):\n{self.output()}")
            if match := re.search(pattern, line):
                return match
        pytest.fail(f"{self.name} did not log {pattern!r} within {timeout} s:\n{self.output()}")

    def wait_for_port(self, port, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited ({self.proc.returncode}):\n{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"{self.name} did not listen on {port} within {timeout} s:\n{self.output()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._reader.join(timeout=10)
        self.proc.stderr.close()


def free_port():
    """A port the OS says is free now (Nginx cannot report a port it picked itself)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def nginx():
    """The nginx binary; its absence is a failure, not a skip."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        pytest.fail(
            "nginx is not installed, so the deployment chapter cannot be checked. "
            "Install it: sudo apt-get install -y nginx"
        )
    return found


@pytest.fixture(scope="module")
def nginx_prefix(tmp_path_factory):
    """A directory for Nginx to run in, with a self-signed certificate under tls/."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is not installed: sudo apt-get install -y openssl")
    prefix = tmp_path_factory.mktemp("nginx")
    (prefix / "tls").mkdir()
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(prefix / "tls" / "privkey.pem"),
            "-out", str(prefix / "tls" / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return prefix


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """Gunicorn, started with the example's settings file, on a port the OS picks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN_"))}
    env["PYTHONPATH"] = str(ROOT)
    server = Process(
        "gunicorn",
        [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--bind", "127.0.0.1:0"],
        cwd=ROOT,
        log_dir=tmp_path_factory.mktemp("gunicorn"),
        env=env,
    )
    try:
        port = int(server.wait_for_line(r"Listening at: http://127\.0\.0\.1:(\d+)")[1])
        server.wait_for_line(r"Booting worker")
        yield port
    finally:
        server.stop()


def render_nginx_conf(text, *, http_port, https_port, upstream_port):
    """The shipped config with this run's ports in place of 80, 443 and 8000."""
    for old, new in [
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
    ]:
        assert text.count(old) == 1, f"nginx.conf no longer has exactly one {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def proxy(nginx, nginx_prefix, gunicorn):
    """Nginx with the example's config, in the foreground, in front of Gunicorn."""
    ports = {"http_port": free_port(), "https_port": free_port(), "upstream_port": gunicorn}
    conf = nginx_prefix / "nginx.conf"
    conf.write_text(render_nginx_conf(NGINX_CONF.read_text(), **ports))
    server = Process(
        "nginx",
        [nginx, "-p", str(nginx_prefix), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
        cwd=nginx_prefix,
        log_dir=nginx_prefix,
    )
    try:
        server.wait_for_port(ports["https_port"])
        yield ports
    finally:
        server.stop()


def https_get(port, path, headers=None, source=CLIENT_ADDRESS, cafile=None):
    """GET over TLS from ``source``, checking the certificate against ``cafile``."""
    context = ssl.create_default_context(cafile=cafile)
    connection = http.client.HTTPSConnection(
        "127.0.0.1", port, context=context, source_address=(source, 0), timeout=10
    )
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_gunicorn_serves_health(gunicorn):
    with urllib.request.urlopen(f"http://127.0.0.1:{gunicorn}/health", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        assert json.loads(response.read()) == {"status": "ok"}


def test_gunicorn_alone_sees_the_direct_client(gunicorn):
    with urllib.request.urlopen(f"http://127.0.0.1:{gunicorn}/request-info", timeout=10) as r:
        info = json.loads(r.read())
    assert info["remote_addr"] == "127.0.0.1"
    assert info["scheme"] == "http"


def test_nginx_serves_health_over_https(proxy, nginx_prefix):
    cafile = nginx_prefix / "tls" / "fullchain.pem"
    status, headers, body = https_get(proxy["https_port"], "/health", cafile=cafile)
    assert status == 200
    assert json.loads(body) == {"status": "ok"}
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert headers["Server"] == "nginx"  # server_tokens off: no version


def test_client_address_and_scheme_reach_the_app_through_nginx(proxy, nginx_prefix):
    cafile = nginx_prefix / "tls" / "fullchain.pem"
    # The client claims another address; Nginx appends the real one and ProxyFix
    # trusts only that last hop.
    spoofed = {"X-Forwarded-For": "203.0.113.9"}
    status, _, body = https_get(proxy["https_port"], "/request-info", spoofed, cafile=cafile)
    assert status == 200
    info = json.loads(body)
    assert info["remote_addr"] == CLIENT_ADDRESS
    assert info["scheme"] == "https"
    assert info["host"] == "127.0.0.1"
    assert info["health_url"] == "https://127.0.0.1/health"


def test_plain_http_is_redirected_to_https(proxy):
    connection = http.client.HTTPConnection("127.0.0.1", proxy["http_port"], timeout=10)
    try:
        connection.request("GET", "/health?full=1")
        response = connection.getresponse()
        assert response.status == 301
        assert response.headers["Location"] == "https://127.0.0.1/health?full=1"
    finally:
        connection.close()


def nginx_test(nginx, prefix, conf):
    return subprocess.run(
        [nginx, "-t", "-p", str(prefix), "-c", str(conf), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_shipped_nginx_conf_passes_nginx_t_as_is(nginx, nginx_prefix, tmp_path):
    # The file byte for byte, next to a tls/ directory, as its comment says to run it.
    shutil.copytree(nginx_prefix / "tls", tmp_path / "tls")
    shutil.copy(NGINX_CONF, tmp_path / "nginx.conf")
    result = nginx_test(nginx, tmp_path, tmp_path / "nginx.conf")
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_rendered_nginx_conf_passes_nginx_t(nginx, nginx_prefix, tmp_path):
    shutil.copytree(nginx_prefix / "tls", tmp_path / "tls")
    conf = tmp_path / "nginx.conf"
    text = NGINX_CONF.read_text()
    conf.write_text(render_nginx_conf(text, http_port=8080, https_port=8443, upstream_port=8001))
    result = nginx_test(nginx, tmp_path, conf)
    assert result.returncode == 0, result.stderr


def test_nginx_t_rejects_a_broken_config(nginx, nginx_prefix, tmp_path):
    # The check above can fail: a config without its certificate does not pass.
    shutil.copy(NGINX_CONF, tmp_path / "nginx.conf")
    result = nginx_test(nginx, tmp_path, tmp_path / "nginx.conf")
    assert result.returncode != 0
    assert "fullchain.pem" in result.stderr
