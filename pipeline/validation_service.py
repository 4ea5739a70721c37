"""Great Expectations in a process of its own, started when a run starts.

Importing GX costs about four seconds and leaves GX, pandas and scipy in the process. In a
process of its own the import overlaps the run's first steps (the scan, the reading) instead of
holding up the first validation, and the run's process stays small. Not a thread: GX's import
shares modules (sqlalchemy, numpy) with dagster-postgres, and a half-imported module broke the
main thread (CI, stop 18).

The service is `python -m pipeline.validation_service`: tables in (pickled Arrow), reports out
(pipeline/validation.py's ValidationReport), one request at a time, over its stdin and stdout.
It ends when the process that started it closes the pipe or ends. A service that died (killed,
out of memory) is started again once for the next request; a second death is the step's error.
"""

from __future__ import annotations

import atexit
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI starts the service before it imports pyarrow or Dagster
    import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
_HEADER = struct.Struct("<Q")


class ValidationServiceError(RuntimeError):
    """The service ended before it answered."""


def _send(stream, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream):
    """The next message, or None at the end of the stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


class ValidationService:
    """One service process and the pipe to it."""

    def __init__(self) -> None:
        env = {**os.environ, "GX_ANALYTICS_ENABLED": "false",
               "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
        self.owner = os.getpid()
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.validation_service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env=env, cwd=str(ROOT), start_new_session=False)

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def validate(self, table_name: str, table: "pa.Table", text_lengths: dict[str, int] | None = None):
        with self._lock:
            try:
                _send(self._process.stdin, ("validate", table_name, table, text_lengths))
                reply = _receive(self._process.stdout)
            except (BrokenPipeError, OSError):
                reply = None
        if reply is None:
            code = self._process.wait()
            raise ValidationServiceError(f"the validation process ended (exit status {code}) before it answered "
                                         f"for {table_name}")
        kind, value = reply
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        try:
            self._process.stdin.close()
        except OSError:
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


_service: ValidationService | None = None
_service_lock = threading.Lock()


def start() -> ValidationService:
    """The process's service, started now if it is not running: call it as early as a run can, so
    GX is imported while the run does other work."""
    global _service
    with _service_lock:
        if _service is None or _service.owner != os.getpid() or not _service.alive:
            _service = ValidationService()
        return _service


def validate(table_name: str, table: "pa.Table", text_lengths: dict[str, int] | None = None):
    """validation.validate_table(table_name, table, text_lengths=...), run by the service."""
    try:
        return start().validate(table_name, table, text_lengths)
    except ValidationServiceError:
        return start().validate(table_name, table, text_lengths)  # died (killed, out of memory): once more


@atexit.register
def stop() -> None:
    global _service
    with _service_lock:
        if _service is not None and _service.owner == os.getpid():
            _service.close()
        _service = None


def serve() -> None:
    """The service's loop: warm GX up (its import, the context, every suite), then answer."""
    import warnings

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle; the pipe's end stops this
    warnings.filterwarnings("ignore", message=r".*(is currently in beta|is currently in preview).*")
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the replies
    requests = sys.stdin.buffer
    from pipeline import validation

    validation.warm_up()
    while True:
        message = _receive(requests)
        if message is None:
            return
        _, table_name, table, text_lengths = message
        try:
            reply = ("report", validation.validate_table(table_name, table, text_lengths=text_lengths))
        except Exception as exc:  # noqa: BLE001 - raised again in the run's process
            reply = ("error", exc if _picklable(exc) else RuntimeError(f"{type(exc).__name__}: {exc}"))
        _send(replies, reply)


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
        return True
    except Exception:  # noqa: BLE001
        return False


if __name__ == "__main__":
    serve()
