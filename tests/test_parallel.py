"""Worker processes give exactly the rows one process gives, in the same order."""

from __future__ import annotations

from pipeline.core.limits import Limits
from pipeline.core.parallel import MIN_ITEMS_PER_WORKER, map_in_order, worker_count
from pipeline.core.process import NormalizedText, normalize, read_outcome, token_rows_job, extracted_from_json
from tests.conftest import SAMPLE_INBOX


def test_reading_and_tokenizing_in_two_workers_equals_one_process():
    files = sorted(SAMPLE_INBOX.iterdir())
    jobs = [(str(p), "pdf" if p.suffix == ".pdf" else "text", Limits()) for p in files] * (MIN_ITEMS_PER_WORKER // 2)
    assert len(jobs) >= 2 * MIN_ITEMS_PER_WORKER  # big enough for the pool to be used
    alone = map_in_order(read_outcome, jobs, workers=1)
    spread = map_in_order(read_outcome, jobs, workers=2)
    assert spread == alone and all(reason is None for _, reason in alone)
    norms = [(f"doc{i:02d}", normalize(extracted_from_json(x))) for i, (x, _) in enumerate(alone)]
    assert all(isinstance(n, NormalizedText) for _, n in norms)
    assert map_in_order(token_rows_job, norms, workers=2) == map_in_order(token_rows_job, norms, workers=1)


def test_zero_workers_means_one_per_core():
    assert worker_count(0) >= 1 and worker_count(3) == 3
