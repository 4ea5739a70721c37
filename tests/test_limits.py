"""What a reader refuses before or while doing the work: size, pages, time."""

from __future__ import annotations

import time

import pytest

from pipeline.core.errors import RejectedInput
from pipeline.core.limits import Limits


def test_a_read_that_runs_past_the_time_limit_is_a_rejection_not_a_hang():
    with pytest.raises(RejectedInput, match="too slow to read"):
        with Limits(max_read_seconds=0.2).time_limit():
            time.sleep(5)
    with Limits(max_read_seconds=0.2).time_limit():
        pass
    time.sleep(0.3)  # the timer was cancelled: no stray alarm arrives later
