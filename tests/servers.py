"""Real servers the tests start themselves on free loopback ports: Redis.

Without `redis-server` the tests that need it are skipped, saying why, unless REQUIRE_SERVERS=1
is set: then they fail (CI sets it where the server must be there).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

STARTUP_SECONDS = 10
POLL_SECONDS = 0.02


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require(program: str) -> str:
    """The program's path; else skip the test (fail it with REQUIRE_SERVERS=1)."""
    path = shutil.which(program) or (
        f"/usr/bin/{program}" if os.path.exists(f"/usr/bin/{program}") else None
    )
    if path is None:
        reason = f"{program} is not installed (apt-get install {program})"
        if os.environ.get("REQUIRE_SERVERS") == "1":
            pytest.fail(f"REQUIRE_SERVERS=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return path


class RedisServer:
    """`redis-server` on a free port, keeping nothing on disk; stopped and started again at will
    (on the same port) to play an outage."""

    def __init__(self, directory):
        self.program = require("redis-server")
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.program,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            if self.answers():
                return
            time.sleep(POLL_SECONDS)
        self.stop()
        raise RuntimeError(f"redis-server did not answer within {STARTUP_SECONDS} s")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None


def stop_process(process: subprocess.Popen | None) -> None:
    """Ask a server process to end (SIGTERM), and kill it if it has not within 10 s."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
