"""The real Dagster webserver (and daemon) as subprocesses for an end-to-end test: a small GraphQL
client, the processes' lifetimes, and headless Chromium for screenshots of the UI.

Every wait has a timeout and every failure says what was waited for, with the tail of the
server's log: a hung server must fail the test, not hang CI.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_TIMEOUT = 900  # seconds for apt-get update + install on a clean Debian machine
HTTP_TIMEOUT = 30  # seconds for one GraphQL request


class ServerError(AssertionError):
    """The server did not do what the test waited for; the message says what and shows its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path} does not exist)"
    text = path.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


class ManagedProcess:
    """A subprocess in its own session (process group), so that stopping it also stops what it
    started: the webserver's and daemon's code servers and the run workers."""

    def __init__(self, name: str, cmd: list[str], cwd: Path, env: dict[str, str], log: Path):
        self.name, self.log = name, log
        self._log_file = log.open("wb")
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise ServerError(f"{self.name} exited with {self.proc.returncode}:\n{log_tail(self.log)}")

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to the whole group, then SIGKILL to whatever is left of it after `grace`."""
        pgid = self.proc.pid  # start_new_session: the group id is the leader's pid
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and _group_alive(pgid):
                self.proc.poll()  # reap the leader so it does not linger as a zombie
                time.sleep(0.1)
            if not _group_alive(pgid):
                break
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self._log_file.close()


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs. killpg(pgid, 0) alone also succeeds while only
    zombies are left, which no signal can end: those do not count."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return any(_pgid_of(pid) == pgid and not _is_zombie(pid) for pid in _pids())


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _pgid_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


@contextmanager
def managed(name: str, cmd: list[str], cwd: Path, env: dict[str, str], log: Path):
    """A ManagedProcess that is stopped on the way out, whatever happened inside."""
    process = ManagedProcess(name, cmd, cwd, env, log)
    try:
        yield process
    finally:
        process.stop()


class GraphQL:
    """Posts queries to the webserver's /graphql; GraphQL-level errors raise, with the query's
    first line, so a wrong field name fails with the server's own explanation."""

    def __init__(self, base_url: str, server: ManagedProcess):
        self.base_url, self.server = base_url.rstrip("/"), server

    def __call__(self, query: str, variables: dict | None = None, timeout: float = HTTP_TIMEOUT) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(f"{self.base_url}/graphql", data=body,
                                         headers={"Content-Type": "application/json"})
        first = query.strip().splitlines()[0]
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                payload = json.loads(response.read())
        except urllib.error.HTTPError as exc:  # an invalid query is a 400, its reason in the body
            raise ServerError(f"GraphQL `{first}`: HTTP {exc.code}: {exc.read().decode(errors='replace')[:3000]}") from exc
        if payload.get("errors"):
            raise ServerError(f"GraphQL errors for `{first}`: {json.dumps(payload['errors'], indent=1)}")
        return payload["data"]

    def wait_until_up(self, timeout: float) -> dict:
        """/server_info answers once the webserver serves; returns its versions."""
        deadline = time.monotonic() + timeout
        while True:
            self.server.check_alive()
            try:
                with urllib.request.urlopen(f"{self.base_url}/server_info", timeout=5) as response:
                    return json.loads(response.read())
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise ServerError(f"{self.base_url}/server_info did not answer in {timeout:.0f} s:\n"
                                  f"{log_tail(self.server.log)}")
            time.sleep(0.5)


WORKSPACE_QUERY = """
query Workspace {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on RepositoryLocation { name repositories { name jobs { name } } }
          ... on PythonError { message stack }
        }
      }
    }
    ... on PythonError { message }
  }
}
"""


def wait_for_location(gql: GraphQL, name: str, timeout: float) -> dict:
    """The code location once loaded; its load error (the Python traceback) when it failed."""
    deadline = time.monotonic() + timeout
    while True:
        gql.server.check_alive()
        workspace = gql(WORKSPACE_QUERY)["workspaceOrError"]
        if workspace["__typename"] != "Workspace":
            raise ServerError(f"the workspace did not load: {workspace.get('message')}")
        entry = next((e for e in workspace["locationEntries"] if e["name"] == name), None)
        if entry is not None and entry["loadStatus"] == "LOADED":
            location = entry["locationOrLoadError"]
            if location is None or location["__typename"] != "RepositoryLocation":
                error = location or {}
                raise ServerError(f"code location {name} failed to load: {error.get('message')}\n"
                                  f"{''.join(error.get('stack') or [])}")
            return location
        if time.monotonic() > deadline:
            raise ServerError(f"code location {name} not loaded after {timeout:.0f} s: {entry}\n"
                              f"{log_tail(gql.server.log)}")
        time.sleep(0.5)


LAUNCH_RUN = """
mutation LaunchRun($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on PythonError { message stack }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on Error { message }
  }
}
"""


def launch_run(gql: GraphQL, selector: dict, tags: dict[str, str] | None = None,
               asset_selection: list[str] | None = None) -> str:
    """Launches a run of the selected job (narrowed to `asset_selection` when given); its run id."""
    selector = dict(selector)
    if asset_selection is not None:
        selector["assetSelection"] = [{"path": [key]} for key in asset_selection]
    params = {"selector": selector,
              "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}}
    result = gql(LAUNCH_RUN, {"params": params})["launchRun"]
    if result["__typename"] != "LaunchRunSuccess":
        raise ServerError(f"launchRun returned {result['__typename']}: {json.dumps(result, indent=1)}")
    return result["run"]["runId"]


RUN_STATUS = """
query RunStatus($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { status }
    ... on Error { message }
  }
}
"""

RUN_ERRORS = """
query RunErrors($runId: ID!) {
  logsForRun(runId: $runId) {
    __typename
    ... on EventConnection {
      events {
        __typename
        ... on MessageEvent { message level stepKey }
        ... on ErrorEvent { error { message stack } }
      }
    }
  }
}
"""

FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def wait_for_run(gql: GraphQL, run_id: str, timeout: float, processes: list[ManagedProcess] = ()) -> dict:
    """Polls the run until it finishes; a run that fails or times out raises with its event log's
    errors (and the tail of the daemon's log: a run stuck QUEUED means the daemon is not dequeuing)."""
    deadline, status = time.monotonic() + timeout, None
    while True:
        for process in processes:
            process.check_alive()
        run = gql(RUN_STATUS, {"runId": run_id})["runOrError"]
        if run["__typename"] != "Run":
            raise ServerError(f"run {run_id}: {run}")
        status = run["status"]
        if status in FINISHED:
            break
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.name}\n{log_tail(p.log)}" for p in processes)
            raise ServerError(f"run {run_id} still {status} after {timeout:.0f} s\n{logs}")
        time.sleep(1)
    if status != "SUCCESS":
        raise ServerError(f"run {run_id} ended {status}:\n" + "\n".join(run_errors(gql, run_id)))
    return run


def run_errors(gql: GraphQL, run_id: str) -> list[str]:
    """The error-level messages and errors (with stacks) of the run's event log."""
    events = gql(RUN_ERRORS, {"runId": run_id})["logsForRun"].get("events") or []
    lines = []
    for event in events:
        error = event.get("error")
        if error or event.get("level") in ("ERROR", "CRITICAL"):
            lines.append(f"{event['__typename']} {event.get('stepKey') or ''}: {event.get('message')}")
            if error:
                lines.append(f"  {error['message']}{''.join(error.get('stack') or [])}")
    return lines


def ensure_chromium(timeout: float = INSTALL_TIMEOUT) -> tuple[Path, float]:
    """Debian's chromium, installed with apt-get when missing (as root, or through passwordless
    sudo: `sudo -n` fails at once instead of waiting for a password). Returns its path and the
    seconds spent installing (0 when it was there)."""
    if CHROMIUM.exists():
        return CHROMIUM, 0.0
    started = time.monotonic()
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    lock_wait = ["-o", "DPkg::Lock::Timeout=120"]  # another apt in progress: wait for it, within limits
    for cmd in (["apt-get", *lock_wait, "update"], ["apt-get", *lock_wait, "install", "-y", "chromium"]):
        try:
            done = subprocess.run([*sudo, *cmd], env=env, capture_output=True, text=True,
                                  timeout=max(1.0, timeout - (time.monotonic() - started)))
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"`{' '.join(cmd)}` did not finish in {timeout:.0f} s") from exc
        if done.returncode != 0:
            raise AssertionError(f"`{' '.join([*sudo, *cmd])}` exited {done.returncode}; installing chromium "
                                 f"needs root or passwordless sudo and Debian's mirrors:\n"
                                 f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    if not CHROMIUM.exists():
        raise AssertionError(f"apt-get installed chromium but {CHROMIUM} is missing")
    return CHROMIUM, time.monotonic() - started


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # without these Chromium keeps opening connections to Google's services, which this closed
    # network refuses (and which a test has no business making anyway)
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


SETTLE_SECONDS = 0.25
# three animation frames (an animation in progress moves something in each), then a pause
FRAMES_THEN_PAUSE = f"""new Promise(done => {{
  let frames = 3;
  const next = () => (--frames > 0 ? requestAnimationFrame(next) : setTimeout(done, {SETTLE_SECONDS * 1000}));
  requestAnimationFrame(next);
}})"""


class DevTools:
    """Headless Chromium driven over the DevTools protocol (websockets, which dagster-webserver
    already depends on through uvicorn). The one-shot --screenshot mode can only wait a fixed
    (virtual) time and cannot act on the page; this can wait for what the page shows, set the
    UI's settings and fit the graph to the window before the screenshot."""

    def __init__(self, process: ManagedProcess, websocket):
        self.process, self._ws, self._id = process, websocket, 0

    def send(self, method: str, params: dict | None = None, timeout: float = 30.0) -> dict:
        """One command and its result; the events Chromium sends meanwhile are dropped."""
        self._id += 1
        self._ws.send(json.dumps({"id": self._id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServerError(f"DevTools {method} got no answer in {timeout:.0f} s")
            message = json.loads(self._ws.recv(timeout=remaining))
            if message.get("id") == self._id:
                if "error" in message:
                    raise ServerError(f"DevTools {method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str, await_promise: bool = False):
        """The value of a page expression; it must be JSON-serializable (not a DOM node). With
        await_promise, the value the expression's promise resolves to."""
        result = self.send("Runtime.evaluate",
                           {"expression": expression, "returnByValue": True, "awaitPromise": await_promise})
        if "exceptionDetails" in result:
            raise ServerError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float, what: str):
        """Polls a page expression until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                text = self.evaluate("document.body ? document.body.innerText.slice(0, 2000) : ''")
                raise ServerError(f"the page did not show {what} in {timeout:.0f} s; it shows:\n{text}")
            time.sleep(0.5)

    def settled(self, expression: str, timeout: float, what: str):
        """The value of a page expression once the page has stopped changing it: the same value
        twice, a few animation frames and at least SETTLE_SECONDS apart. The graph's zoom and fit
        are animated frame by frame; on a loaded machine a fixed sleep can end mid-animation, so
        this waits on the frames the page actually draws."""
        deadline = time.monotonic() + timeout
        previous = self.evaluate(expression)
        while True:
            self.evaluate(FRAMES_THEN_PAUSE, await_promise=True)
            value = self.evaluate(expression)
            if value is not None and value == previous:
                return value
            if time.monotonic() > deadline:
                raise ServerError(f"{what} kept changing for {timeout:.0f} s: {previous} then {value}")
            previous = value

    def screenshot(self, png: Path) -> None:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        png.write_bytes(base64.b64decode(data))


def _page_websocket_url(process: ManagedProcess, port: int, timeout: float) -> str:
    """The DevTools address of Chromium's first tab, once its endpoint answers."""
    deadline = time.monotonic() + timeout
    while True:
        process.check_alive()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as response:
                pages = [t for t in json.loads(response.read()) if t["type"] == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise ServerError(f"Chromium's DevTools did not answer in {timeout:.0f} s:\n{log_tail(process.log)}")
        time.sleep(0.3)


def with_fonts(env: dict[str, str], profile: Path, font_dirs: list[Path]) -> dict[str, str]:
    """The environment with a fontconfig that adds font_dirs to the machine's fonts: the Dagster
    UI names no font of its own, and this machine has no CJK one (column descriptions in Japanese
    would be boxes in the screenshots)."""
    if not font_dirs:
        return env
    config = profile / "fonts.conf"
    dirs = "".join(f"<dir>{d}</dir>" for d in font_dirs)
    config.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                      '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                      f'{dirs}<cachedir>{profile / "fontconfig-cache"}</cachedir></fontconfig>', encoding="utf-8")
    return {**env, "FONTCONFIG_FILE": str(config)}


@contextmanager
def devtools(chromium: Path, log: Path, width: int = 1600, height: int = 1000, timeout: float = 30.0,
             font_dirs: list[Path] = ()):
    """A headless Chromium with a throwaway profile and a page of width x height, stopped (and
    its profile removed) on exit; font_dirs: fonts it has besides the machine's."""
    from websockets.sync.client import connect

    profile = Path(tempfile.mkdtemp(prefix="seimei-chromium-"))
    port = free_port()
    cmd = [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
           "--remote-debugging-address=127.0.0.1", f"--remote-debugging-port={port}", "about:blank"]
    env = with_fonts(dict(os.environ), profile, list(font_dirs))
    try:
        with managed("chromium", cmd, Path(tempfile.gettempdir()), env, log) as process:
            url = _page_websocket_url(process, port, timeout)
            with connect(url, max_size=None, open_timeout=timeout, close_timeout=5) as websocket:
                browser = DevTools(process, websocket)
                # --window-size sizes the window, not the page, which would lose the height of
                # the (invisible) toolbar
                browser.send("Emulation.setDeviceMetricsOverride",
                             {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
                browser.send("Page.enable")
                yield browser
    finally:
        shutil.rmtree(profile, ignore_errors=True)
