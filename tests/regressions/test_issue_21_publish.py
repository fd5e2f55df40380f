"""Regressions of issue 21 (publish): each failed on the commit before publish moved to httpx.

Against real listeners on 127.0.0.1 that misbehave the ways an adversarial run found, `publish` said
"Published … HTTP 200" and exited 0 although nothing was known to be published: a store that trickles its
status line past the deadline; one that answers 200 at once and reads nothing; one that reads 65 KB,
answers 200 and closes; one that reads 120 KB and answers 201; one that sends the status line and never
finishes its headers. Also: ``--timeout inf`` / ``nan``, credentials that no scheme (or only some) can
carry, a malformed digest challenge, a redirect, an answer that is not HTTP, and a 500 with huge headers.

The listeners run in threads of the test process; each test's publish runs in a thread (or a
subprocess) joined with a generous hang guard, so a publish that never ends fails instead of hanging.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable

import pytest
from conftest import ROOT, invoke

HANG = 60  #: seconds: a hang guard, not a timing assertion (the deadlines below are 2-3 s)
RELEASE_NT = "cnipa-kg.nt"


def read_head(conn: socket.socket) -> bytes:
    """The request's line and headers (what arrived up to the blank line)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def read_bytes(conn: socket.socket, n: int, already: bytes = b"") -> int:
    """Read until ``n`` bytes of body arrived (counting those after the head in ``already``)."""
    got = len(already.split(b"\r\n\r\n", 1)[1]) if b"\r\n\r\n" in already else 0
    while got < n:
        chunk = conn.recv(min(65536, n - got))
        if not chunk:
            break
        got += len(chunk)
    return got


class Listener:
    """A TCP listener on 127.0.0.1 that runs ``behave(conn, listener)`` for each connection in a thread,
    records what it saw, and stops (closing every connection) on :meth:`close`."""

    def __init__(self, behave: Callable[[socket.socket, Listener], None]) -> None:
        self.behave, self.stop = behave, threading.Event()
        self.connections, self.heads = 0, []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/store"
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.conns: list[socket.socket] = []
        self.threads[0].start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self.conns.append(conn)
            thread = threading.Thread(target=self._run, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _run(self, conn: socket.socket) -> None:
        try:
            self.behave(conn, self)
        except OSError:
            pass

    def hold(self) -> None:
        """Keep the connection open (reading nothing) until the listener is closed."""
        self.stop.wait()

    def close(self) -> None:
        self.stop.set()
        for conn in self.conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        for thread in self.threads:
            thread.join(timeout=10)
        self.server.close()


@pytest.fixture()
def listen():
    started: list[Listener] = []

    def make(behave) -> Listener:
        started.append(Listener(behave))
        return started[-1]

    yield make
    for listener in started:
        listener.close()


def run_publish(release_dir, url: str, **kwargs) -> BaseException | None:
    """The library's publish in a thread, joined with the hang guard: the error it raised, or None."""
    from cnipa_kg.publish import publish

    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            publish(release_dir, store=url, **kwargs)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=HANG)
    assert not thread.is_alive(), f"publish still running after {HANG} s"
    return outcome[0]


# -- the five false "Published" ------------------------------------------------------------------------------


def trickle_status(conn, listener) -> None:
    """Read the request, then send ``HTTP/1.1 200 OK`` a byte every 0.1 s (the status line is in before the
    deadline), and a header that never ends."""
    read_head(conn)
    answer = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 10_000
    for i in range(len(answer)):
        if listener.stop.wait(0.1):
            return
        conn.sendall(answer[i:i + 1])


def answer_at_once_read_nothing_close(conn, listener) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    conn.close()


def answer_at_once_read_nothing_hold(conn, listener) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    listener.hold()


def read_then_answer(n: int, status: bytes, then_close: bool):
    def behave(conn, listener) -> None:
        head = read_head(conn)
        listener.heads.append(head)
        read_bytes(conn, n, head)
        conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n\r\n")
        if then_close:
            conn.close()
        else:
            listener.hold()
    return behave


def status_line_only(conn, listener) -> None:
    read_head(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n")
    listener.hold()


@pytest.mark.parametrize("behave", [
    trickle_status,
    answer_at_once_read_nothing_close,
    answer_at_once_read_nothing_hold,
    read_then_answer(65_000, b"200 OK", then_close=True),
    read_then_answer(120_000, b"201 Created", then_close=True),
    read_then_answer(120_000, b"201 Created", then_close=False),
    status_line_only,
], ids=["trickle", "200-at-once-close", "200-at-once-hold", "read-65k-200-close", "read-120k-201-close",
        "read-120k-201-hold", "status-line-only"])
def test_no_success_without_a_complete_exchange(release_dir, listen, behave):
    from cnipa_kg.core.errors import CnipaKgError

    store = listen(behave)
    error = run_publish(release_dir, store.url, timeout=3, retries=2, backoff=0.1)
    assert isinstance(error, CnipaKgError), f"publish claimed success: {error!r}"
    assert store.connections >= 1
    message = str(error)
    assert "\n" not in message and store.url in message
    assert "timed out" in message or "did not complete" in message or "no answer" in message, message


def test_the_cli_against_the_trickling_store_exits_non_zero_by_its_deadline(release_dir, listen):
    """The command itself, in a subprocess: non-zero, one line, and it ends (the hang guard is 60 s for a
    deadline of 2 × 3 s)."""
    store = listen(trickle_status)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("CNIPA_KG_STORE_USER", None)
    proc = subprocess.run([sys.executable, "-m", "cnipa_kg.cli", "publish", "--data", str(release_dir), "--store",
                           store.url, "--timeout", "3"], capture_output=True, text=True, timeout=HANG, env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith("Error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "timed out" in proc.stderr


def test_an_early_2xx_names_what_was_sent(release_dir, listen):
    store = listen(read_then_answer(65_000, b"200 OK", then_close=True))
    error = run_publish(release_dir, store.url, timeout=3, retries=1)
    size = (release_dir / RELEASE_NT).stat().st_size
    from cnipa_kg.publish import StoreRefused, StoreUnreachable

    assert isinstance(error, (StoreRefused, StoreUnreachable)), repr(error)
    if isinstance(error, StoreRefused):  # the 200 arrived before the connection broke
        message = str(error)
        assert "did not complete" in message and "HTTP 200" in message
        assert f"of {size:,} bytes" in message or "reset the connection" in message or "had not reached" in message


# -- options and credentials ------------------------------------------------------------------------------


def never_called(conn, listener) -> None:
    read_head(conn)
    conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")


@pytest.mark.parametrize("timeout", ["inf", "nan", "-1", "0"])
def test_timeout_must_be_finite_and_positive(runner, release_dir, listen, timeout):
    store = listen(never_called)
    result = invoke(runner, "publish", "--data", release_dir, "--store", store.url, "--timeout", timeout)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    assert "--timeout" in result.stderr
    assert store.connections == 0


@pytest.mark.parametrize(("variable", "value"), [("CNIPA_KG_STORE_USER", "ali\nce"),
                                                 ("CNIPA_KG_STORE_PASSWORD", "s3\r\ncret"),
                                                 ("CNIPA_KG_STORE_USER", "bob\x7f")])
def test_a_control_character_in_credentials_is_refused_before_sending(runner, release_dir, listen, monkeypatch,
                                                                      variable, value):
    monkeypatch.setenv("CNIPA_KG_STORE_USER", "alice")
    monkeypatch.setenv("CNIPA_KG_STORE_PASSWORD", "s3cret")
    monkeypatch.setenv(variable, value)
    store = listen(never_called)
    result = invoke(runner, "publish", "--data", release_dir, "--store", store.url)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1 and variable in result.stderr and "control character" in result.stderr
    assert "s3" not in result.stderr
    assert store.connections == 0


def basic_recorder(conn, listener) -> None:
    head = read_head(conn)
    listener.heads.append(head)
    read_bytes(conn, content_length(head), head)
    conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    conn.close()


def test_a_unicode_user_name_goes_by_basic_auth_in_utf8(runner, release_dir, listen, monkeypatch):
    monkeypatch.setenv("CNIPA_KG_STORE_USER", "用户")
    monkeypatch.setenv("CNIPA_KG_STORE_PASSWORD", "密码")
    store = listen(basic_recorder)
    result = invoke(runner, "publish", "--data", release_dir, "--store", store.url)
    assert result.exit_code == 0, result.output
    assert [h.split(b" ", 1)[0] for h in store.heads] == [b"HEAD", b"PUT"]  # the scheme learnt first, the body sent once
    authorization = next(line for line in store.heads[1].split(b"\r\n") if line.lower().startswith(b"authorization:"))
    assert authorization.split(b" ", 2)[2] == base64.b64encode("用户:密码".encode())


def content_length(head: bytes) -> int:
    return int(next((line.split(b":", 1)[1] for line in head.split(b"\r\n")
                     if line.lower().startswith(b"content-length")), b"0"))


def digest_challenge(challenge: bytes):
    """Read the whole request, then answer 401 with ``challenge`` (as Oxigraph behind a proxy or Fuseki would)."""
    def behave(conn, listener) -> None:
        head = read_head(conn)
        listener.heads.append(head)
        read_bytes(conn, content_length(head), head)
        conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: " + challenge +
                     b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        conn.close()
    return behave


def test_a_unicode_user_name_and_a_digest_store_is_a_clear_message(runner, release_dir, listen, monkeypatch):
    monkeypatch.setenv("CNIPA_KG_STORE_USER", "用户")
    monkeypatch.setenv("CNIPA_KG_STORE_PASSWORD", "s3cret")
    store = listen(digest_challenge(b'Digest realm="r", nonce="abc", qop="auth"'))
    result = invoke(runner, "publish", "--data", release_dir, "--store", store.url)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1 and "digest" in result.stderr and "ASCII" in result.stderr


@pytest.mark.parametrize("challenge", [b"Digest realm", b'Digest realm="r"', b'Digest realm="r", nonce="n", algorithm=ROT13',
                                       b'Digest realm="r", nonce="n", qop="auth-int"'])
def test_a_malformed_digest_challenge_is_one_line(runner, release_dir, listen, monkeypatch, challenge):
    monkeypatch.setenv("CNIPA_KG_STORE_USER", "alice")
    monkeypatch.setenv("CNIPA_KG_STORE_PASSWORD", "s3cret")
    store = listen(digest_challenge(challenge))
    result = invoke(runner, "publish", "--data", release_dir, "--store", store.url)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "challenge" in result.stderr, result.stderr


# -- answers reported as what they are ----------------------------------------------------------------------


def answer_after_reading(raw: bytes):
    def behave(conn, listener) -> None:
        head = read_head(conn)
        read_bytes(conn, content_length(head), head)
        conn.sendall(raw)
        conn.close()
    return behave


def test_a_redirect_is_not_followed(runner, release_dir, listen):
    store = listen(answer_after_reading(b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:9/elsewhere\r\n"
                                        b"Content-Length: 0\r\n\r\n"))
    result = invoke(runner, "publish", "--data", release_dir, "--store", store.url)
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1
    assert "redirect" in result.stderr and "http://127.0.0.1:9/elsewhere" in result.stderr and "307" in result.stderr
    assert store.connections == 2  # the HEAD before the upload, and the upload: not retried, not followed


@pytest.mark.parametrize(("raw", "said"), [
    (b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\nProtocol mismatch.\n", "without an HTTP answer"),  # as sshd does
    (b"\x15\x03\x01\x00\x02\x02\x50\r\n\r\n", "not HTTP"),
    (b"220 mail.example.org ESMTP\r\n\r\n", "not HTTP"),
], ids=["ssh", "binary", "smtp"])
def test_an_answer_that_is_not_http_says_so(runner, release_dir, listen, raw, said):
    store = listen(answer_after_reading(raw))
    result = invoke(runner, "publish", "--data", release_dir, "--store", store.url, "--retries", "1")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert said in result.stderr and "(OK)" not in result.stderr, result.stderr


@pytest.mark.parametrize("headers", [b"X-Big: " + b"b" * 70_000 + b"\r\n",
                                     b"".join(b"X-H%d: v\r\n" % i for i in range(150))], ids=["70KB-header", "150-headers"])
def test_a_500_with_large_headers_is_reported_as_a_500(runner, release_dir, listen, headers):
    store = listen(answer_after_reading(b"HTTP/1.1 500 Internal Server Error\r\n" + headers +
                                        b"Content-Length: 6\r\n\r\nbroken"))
    result = invoke(runner, "publish", "--data", release_dir, "--store", store.url, "--retries", "1")
    assert result.exit_code == 1, result.output
    assert "HTTP 500" in result.stderr and "broken" in result.stderr, result.stderr
    assert "no answer" not in result.stderr


def test_a_complete_exchange_is_a_success(runner, release_dir, listen):
    """The same listeners do answer a success when they read the whole body first (the tests above can pass)."""
    store = listen(answer_after_reading(b"HTTP/1.1 204 No Content\r\n\r\n"))
    result = invoke(runner, "publish", "--data", release_dir, "--store", store.url)
    assert result.exit_code == 0, result.output
    size = (release_dir / RELEASE_NT).stat().st_size
    assert f"({size:,} B)" in result.stdout and "HTTP 204" in result.stdout
