"""The limits of one document's work hold whatever the work does: a deadline the parent enforces
by killing the worker, an address-space cap that turns a runaway allocation into a MemoryError,
a worker's death that is one item's outcome, and the caps on text and mentions."""

from __future__ import annotations

import os
import time

import pytest

from pipeline.core.errors import RejectedInput
from pipeline.core.guarded_pool import guarded_map
from pipeline.core.limits import Limits


def behave(kind: str):
    """Module-level (pickled by name): what one item of work does in the worker."""
    if kind == "sleep":
        time.sleep(60)  # a C-level wait: no Python code runs that a timer could interrupt
    if kind == "swallow":  # a library that catches every exception per page, as pdfplumber does
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                time.sleep(0.05)
            except BaseException:  # noqa: BLE001
                pass
    if kind == "allocate":
        return len(bytearray(8 * 1024 ** 3))  # 8 GiB, as an inflate bomb asks for
    if kind == "die":
        os.kill(os.getpid(), 9)
    if kind == "raise":
        raise KeyError("broken")
    return f"ok {kind}"


def test_a_deadline_stops_the_item_not_the_others_and_the_order_holds():
    started = time.monotonic()
    outcomes = guarded_map(behave, ["a", "sleep", "b", "swallow", "c"], 2, deadline_seconds=1.5, max_memory_mb=1024)
    elapsed = time.monotonic() - started
    assert [o.value for o in outcomes] == ["ok a", None, "ok b", None, "ok c"]
    assert [o.error_kind for o in outcomes] == [None, "deadline", None, "deadline", None]
    assert elapsed < 30, f"{elapsed:.0f} s: the deadline did not hold"


def test_memory_past_the_cap_is_a_memory_error_of_that_item():
    outcomes = guarded_map(behave, ["allocate", "a"], 1, deadline_seconds=60, max_memory_mb=1024)
    assert outcomes[0].error_kind == "MemoryError" and outcomes[1].value == "ok a"


def test_a_worker_that_dies_or_raises_takes_only_its_item():
    outcomes = guarded_map(behave, ["die", "a", "raise", "b"], 1, deadline_seconds=60, max_memory_mb=1024)
    assert outcomes[0].error_kind == "crash" and "SIGKILL" in outcomes[0].error
    assert outcomes[2].error_kind == "KeyError" and "broken" in outcomes[2].error
    assert [outcomes[1].value, outcomes[3].value] == ["ok a", "ok b"]


def test_limits_come_from_the_environment_and_name_their_figures():
    limits = Limits.from_env({"SEIMEI_MAX_PAGES": "3", "SEIMEI_MAX_READ_SECONDS": "2.5", "SEIMEI_MAX_TEXT_CHARS": ""})
    assert (limits.max_pages, limits.max_read_seconds, limits.max_text_chars) == (3, 2.5, Limits().max_text_chars)
    assert limits.fingerprint() != Limits().fingerprint()
    with pytest.raises(ValueError, match="SEIMEI_MAX_PAGES"):
        Limits.from_env({"SEIMEI_MAX_PAGES": "many"})
    with pytest.raises(RejectedInput, match="too much text: 11 characters"):
        Limits(max_text_chars=10).check_text(11)
    with pytest.raises(RejectedInput, match="too many date expressions"):
        Limits(max_mentions=10).check_mentions("date expressions", 11)
