"""Run ``eccc serve`` as a child process on loopback (load tests, benchmarks, crash tests).

The child is a real server (uvicorn, uvloop, httptools) so what is measured
or killed is what would run in production; it only ever listens on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


class ShimProcess:
    """``with ShimProcess(db=...) as shim:`` serves until the block ends (or ``kill``)."""

    def __init__(self, *, db: str = ":memory:", policies: tuple[str, ...] = ("every_scan",),
                 api_key: str = "loadtest-key", auth_token: str = "loadtest-token",
                 port: int = 0, log: Path | None = None, extra: tuple[str, ...] = ()) -> None:
        self.db = db
        self.policies = policies
        self.api_key = api_key
        self.auth_token = auth_token
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = log
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> ShimProcess:
        cmd = [sys.executable, "-m", "eccc.cli", "serve", "--host", HOST, "--port",
               str(self.port), "--db", self.db, *self.extra]
        for p in self.policies:
            cmd += ["--policy", p]
        env = {**os.environ, "ECCC_API_KEY": self.api_key,
               "ECCC_SMS_AUTH_TOKEN": self.auth_token}
        if self.log is not None:
            with self.log.open("ab") as out:  # the child keeps its own descriptor
                self.proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=out)
        else:
            self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
        try:
            return self._wait_ready(timeout)
        except BaseException:  # Ctrl-C while it starts: no server left behind
            self.stop()
            raise

    def _wait_ready(self, timeout: float) -> ShimProcess:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                why = self._last_words()
                raise RuntimeError(f"eccc serve exited with {self.proc.returncode}"
                                   + (f" ({why})" if why else ""))
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"eccc serve did not answer on {self.url} within {timeout}s")

    def _last_words(self) -> str:
        """The child's own error line (``eccc serve: ...``, naming the database, the
        port or the policy it refused) from the end of its log, if it wrote one."""
        if self.log is None:
            return ""
        try:
            with self.log.open("rb") as fh:
                fh.seek(max(0, fh.seek(0, os.SEEK_END) - 4096))
                tail = fh.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        said = [line.strip() for line in tail if line.startswith("eccc serve: ")]
        return said[-1].removeprefix("eccc serve: ") if said else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key}

    def __enter__(self) -> ShimProcess:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
