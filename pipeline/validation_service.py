"""Great Expectations in a process of its own, started when a run starts.

Importing GX costs about four seconds and leaves GX, pandas and scipy in the process. In a
process of its own the import overlaps the run's first steps (the scan, the reading) instead of
holding up the first validation, and the run's process stays small. Not a thread: GX's import
shares modules (sqlalchemy, numpy) with dagster-postgres, and a half-imported module broke the
main thread (CI, stop 18).

The service is `python -m pipeline.validation_service FOLDER`. A table to validate is written to
FOLDER as an Arrow IPC file (no copy through a pipe, no pickling of half a million rows) and
named in a small request on the service's stdin; the report (pipeline/validation.py's
ValidationReport) comes back as a file beside it, announced by a small message on its stdout.
Both messages are a few bytes, so neither side ever waits on a full pipe: a run can hand the
service tables while it goes on working (submit), and collect the reports when it needs them
(result). The service ends when the process that started it closes the pipe or ends, and
removes FOLDER. A service that died (killed, out of memory) is started again once for the next
table; a second death is the step's error.
"""

from __future__ import annotations

import atexit
import json
import os
import pickle
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI starts the service before it imports pyarrow or Dagster
    import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
_HEADER = struct.Struct("<Q")
TEXT_LENGTHS_KEY = b"seimei.text_lengths"
FOLDER_PREFIX = "seimei-validation-"  # then the run's pid: a folder whose process is gone is removed
VALIDATE_BYTES = 16 << 20  # Arrow bytes of rows validated together: bounds memory, not the corpus


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
    """One service process, the pipe to it and the folder the tables and reports go through."""

    def __init__(self) -> None:
        env = {**os.environ, "GX_ANALYTICS_ENABLED": "false",
               "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
        self.owner = os.getpid()
        self._lock = threading.Lock()
        remove_abandoned_folders()
        self._folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
        self._next = 0
        self._announced: set[int] = set()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.validation_service", str(self._folder)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env=env, cwd=str(ROOT))

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def submit(self, table_name: str, table: "pa.Table", text_lengths: dict[str, int] | None = None) -> int:
        """Hand a table over; returns its ticket at once, while the service validates."""
        with self._lock:
            ticket, self._next = self._next, self._next + 1
            path = self._folder / f"{ticket}.arrow"
            write_table_file(path, table, text_lengths)
            self._request(ticket, table_name, path, keep=False)
            return ticket

    def submit_file(self, table_name: str, path: Path) -> int:
        """Hand over a table already in a file of write_table_file's, which the service leaves
        where it is (pipeline/rows_ahead.py reads it back)."""
        with self._lock:
            ticket, self._next = self._next, self._next + 1
            self._request(ticket, table_name, path, keep=True)
            return ticket

    def _request(self, ticket: int, table_name: str, path: Path, keep: bool) -> None:
        try:
            _send(self._process.stdin, ("validate", ticket, table_name, str(path), keep))
        except (BrokenPipeError, OSError):
            pass  # gone: result() says so

    def result(self, ticket: int):
        """The ticket's report (or the exception the validation raised), waiting for it if need be."""
        with self._lock:
            while ticket not in self._announced:
                try:
                    message = _receive(self._process.stdout)
                except OSError:
                    message = None
                if message is None:
                    code = self._process.wait()
                    raise ValidationServiceError(f"the validation process ended (exit status {code}) before "
                                                 f"it validated table {ticket}")
                self._announced.add(message[1])
            self._announced.discard(ticket)
            reply = self._folder / f"{ticket}.reply"
            kind, value = pickle.loads(reply.read_bytes())
            reply.unlink()
        if kind == "error":
            raise value
        return value

    def validate(self, table_name: str, table: "pa.Table", text_lengths: dict[str, int] | None = None):
        return self.result(self.submit(table_name, table, text_lengths))

    def close(self, wait: bool = True) -> None:
        """wait: let it finish what it was handed; else stop it now (it may be importing GX)."""
        try:
            self._process.stdin.close()
        except OSError:
            pass
        try:
            if not wait:
                self._process.kill()
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._folder, ignore_errors=True)


def write_table_file(path: Path, table: "pa.Table", text_lengths: dict[str, int] | None = None,
                     compression: str | None = None) -> None:
    """A table as the service reads it: an Arrow IPC stream, the documents' text lengths in its
    schema metadata."""
    import pyarrow as pa

    schema = table.schema.with_metadata({**(table.schema.metadata or {}),
                                         TEXT_LENGTHS_KEY: json.dumps(text_lengths or {}).encode()})
    options = pa.ipc.IpcWriteOptions(compression=compression)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, schema, options=options) as writer:
        writer.write_table(table.replace_schema_metadata(schema.metadata))


def read_table_file(path: Path) -> tuple["pa.Table", dict[str, int]]:
    """(table, text lengths) of a file of write_table_file's."""
    import pyarrow as pa

    with pa.memory_map(str(path)) as source:
        table = pa.ipc.open_stream(source).read_all()
    lengths = json.loads((table.schema.metadata or {}).get(TEXT_LENGTHS_KEY, b"{}"))
    return table.replace_schema_metadata({k: v for k, v in (table.schema.metadata or {}).items()
                                          if k != TEXT_LENGTHS_KEY}), lengths


def remove_abandoned_folders(prefix: str = FOLDER_PREFIX) -> None:
    """Folders named <prefix><pid>-… of runs killed together with their services (a process
    group killed): nothing else would remove their tables."""
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*-*"):
        try:
            pid = int(folder.name[len(prefix):].split("-", 1)[0])
            os.kill(pid, 0)
        except ValueError:
            continue
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:  # another user's run
            continue


_service: ValidationService | None = None
_service_lock = threading.Lock()


def start() -> ValidationService:
    """The process's service, started now if it is not running: call it as early as a run can, so
    GX is imported while the run does other work."""
    global _service
    with _service_lock:
        if _service is None or _service.owner != os.getpid() or not _service.alive:
            if _service is not None and _service.owner == os.getpid():
                _service.close()  # died: its folder goes too
            _service = ValidationService()
        return _service


def validate(table_name: str, table: "pa.Table", text_lengths: dict[str, int] | None = None):
    """validation.validate_table(table_name, table, text_lengths=...), run by the service."""
    try:
        return start().validate(table_name, table, text_lengths)
    except ValidationServiceError:
        return start().validate(table_name, table, text_lengths)  # died (killed, out of memory): once more


def submit(table_name: str, table: "pa.Table", text_lengths: dict[str, int] | None = None) -> tuple[ValidationService, int]:
    """Validation started, not waited for: (service, ticket) for result()."""
    service = start()
    return service, service.submit(table_name, table, text_lengths)


def submit_file(table_name: str, path: Path) -> tuple[ValidationService, int]:
    """Validation of a file of write_table_file's started, not waited for; the file is left."""
    service = start()
    return service, service.submit_file(table_name, path)


def result(handle: tuple[ValidationService, int]):
    """The report of a submitted table; ValidationServiceError when its service ended first."""
    service, ticket = handle
    return service.result(ticket)


@atexit.register
def stop(wait: bool = True) -> None:
    """The service ended (wait=False: at once, for a run that turned out to have nothing to validate)."""
    global _service
    with _service_lock:
        if _service is not None and _service.owner == os.getpid():
            _service.close(wait)
        _service = None


def serve(folder: Path) -> None:
    """The service's loop: warm GX up (its import, the context, every suite), then answer."""
    import warnings

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle; the pipe's end stops this
    warnings.filterwarnings("ignore", message=r".*(is currently in beta|is currently in preview).*")
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the replies
    requests = sys.stdin.buffer
    try:
        from pipeline import validation
        from pipeline.core.memory import give_back
        from pipeline.core.parallel import picklable_error

        validation.warm_up()
        while True:
            message = _receive(requests)
            if message is None:
                return
            _, ticket, table_name, path, keep = message
            try:
                table, lengths = read_table_file(Path(path))
                reply = ("report", validation.validate_table(table_name, table, text_lengths=lengths or None))
            except Exception as exc:  # noqa: BLE001 - raised again in the run's process
                reply = ("error", picklable_error(exc))
            finally:
                table = None
                if not keep:
                    Path(path).unlink(missing_ok=True)
                give_back()
            written = folder / f".{ticket}.reply.tmp"
            written.write_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
            written.replace(folder / f"{ticket}.reply")
            _send(replies, ("done", ticket))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
