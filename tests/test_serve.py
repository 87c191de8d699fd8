"""`bouwregie serve` never lets idle connections block a request (issue #19): two synchronous workers were held
by two idle keep-alive connections — what every browser opens — and the next request waited 33 s. Now gunicorn's
gthread worker (docs/decisions/0007-gthread-web-server.md): the real server in a subprocess, with idle and
half-sent connections open, answers a third request within a second. And how the counts are chosen."""

import socket
import time
import urllib.request

import pytest
from django.core.management.base import CommandError

from bouwregie.web.management.commands.serve import SETTINGS, gunicorn_command, setting

from .browser import prepared, serving


def test_options_win_over_the_environment_which_wins_over_the_defaults():
    env = {"BOUWREGIE_WEB_WORKERS": "3", "BOUWREGIE_WEB_THREADS": " 16 "}
    assert setting("workers", 5, env) == 5
    assert setting("workers", None, env) == 3
    assert setting("threads", None, env) == 16
    assert {name: setting(name, None, {}) for name, *_rest in SETTINGS} == {
        "workers": 2, "threads": 8, "timeout": 60, "keepalive": 75}  # fmt: skip


@pytest.mark.parametrize(("option", "env", "message"), [
    (0, {}, "--workers: '0' is geen heel getal van 1 of meer."),
    (None, {"BOUWREGIE_WEB_WORKERS": "twee"}, "BOUWREGIE_WEB_WORKERS: 'twee' is geen heel getal van 1 of meer."),
    (None, {"BOUWREGIE_WEB_WORKERS": "-1"}, "BOUWREGIE_WEB_WORKERS: '-1' is geen heel getal van 1 of meer."),
])  # fmt: skip
def test_a_wrong_count_is_refused_naming_where_it_came_from(option, env, message):
    with pytest.raises(CommandError, match=message):
        setting("workers", option, env)


def test_the_command_runs_gunicorn_with_threads():
    command = gunicorn_command("127.0.0.1:8000", {"workers": 2, "threads": 8, "timeout": 60, "keepalive": 75})
    joined = " ".join(command)
    assert "--worker-class gthread" in joined and "--workers 2" in joined and "--threads 8" in joined
    assert "--keep-alive 75" in joined and "--timeout 60" in joined and "--preload" in joined


def _open(port: int, data: bytes) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.sendall(data)
    return connection


def _read_response(connection: socket.socket) -> bytes:
    """One whole response (headers and Content-Length body); the connection stays open."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _sep, body = data.partition(b"\r\n\r\n")
    length = int(
        next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory):
    """The real server with a single worker process: with the synchronous worker one idle connection blocked it."""
    with serving(prepared(tmp_path_factory.mktemp("var")), "--workers", "1") as url:
        yield url


@pytest.mark.own_sqlite
def test_idle_keep_alive_connections_do_not_delay_another_request(one_worker):
    port = int(one_worker.rsplit(":", 1)[1])
    request = b"GET /inloggen HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    idle = _open(port, request)
    assert b"200 OK" in _read_response(idle)  # answered and kept alive, now idle (as a browser's spare connection)
    second_idle = _open(port, request)
    assert b"200 OK" in _read_response(second_idle)
    half_sent = _open(port, b"GET /inloggen HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the blank line never comes
    silent = _open(port, b"")  # connected, nothing sent
    try:
        for _ in range(5):
            started = time.perf_counter()
            with urllib.request.urlopen(f"{one_worker}/inloggen", timeout=30) as response:
                assert response.status == 200
            assert time.perf_counter() - started < 1.0
        # the idle connections still work afterwards
        idle.sendall(request)
        assert b"200 OK" in _read_response(idle)
    finally:
        for connection in (idle, second_idle, half_sent, silent):
            connection.close()
