"""A throwaway PostgreSQL server for tests: Debian's postgresql package, on loopback, in a
temporary folder, trust auth, stopped at the end. Runs as the `postgres` user when the tests run
as root (initdb refuses root)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def binaries() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server():
    """Yields a SQLAlchemy URL (postgresql+psycopg2://postgres@127.0.0.1:PORT/dagster)."""
    bin_dir = binaries()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    as_user: list[str] = []
    # its own folder under /tmp: pytest's tmp folders are private to root, and the server runs as postgres
    folder = Path(tempfile.mkdtemp(prefix="seimei-pg-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    data, port = folder / "data", _free_port()
    run = lambda *cmd: subprocess.run([*as_user, *map(str, cmd)], check=True, capture_output=True, text=True)  # noqa: E731
    run(bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync")
    run(bin_dir / "pg_ctl", "-D", data, "-l", folder / "server.log", "-w", "-t", "60", "start",
        "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c max_connections=100")
    try:
        for _ in range(100):
            ready = subprocess.run([bin_dir / "pg_isready", "-h", "127.0.0.1", "-p", str(port)], capture_output=True)
            if ready.returncode == 0:
                break
            time.sleep(0.1)
        run(bin_dir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "dagster")
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/dagster"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def create_database(url: str, name: str) -> str:
    """Another database on the server of `url` (postgresql+psycopg2://postgres@127.0.0.1:PORT/...);
    returns its URL."""
    server, _ = url.rsplit("/", 1)
    port = server.rsplit(":", 1)[1]
    subprocess.run([str(binaries() / "createdb"), "-h", "127.0.0.1", "-p", port, "-U", "postgres", name],
                   check=True, capture_output=True, text=True)
    return f"{server}/{name}"
