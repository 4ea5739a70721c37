"""Worker processes give exactly the rows one process gives, in the same order."""

from __future__ import annotations

import hashlib

from pipeline.core.guarded_pool import guarded_map
from pipeline.core.limits import Limits
from pipeline.core.parallel import map_in_order, worker_count
from pipeline.core.process import (NormalizedText, ReadAheadJob, ReadJob, extracted_from_json, normalize, read_ahead_job,
                                   read_job, token_table_job, warm_up_reading_worker)
from pipeline.core.rows import DocumentInputs, tokens_rows
from schemas.tables import TOKENS
from tests.conftest import SAMPLE_INBOX


def test_reading_and_tokenizing_in_two_workers_equals_one_worker():
    files = sorted(SAMPLE_INBOX.iterdir())
    jobs = [ReadJob(str(SAMPLE_INBOX), str(p.resolve()), hashlib.sha256(p.read_bytes()).hexdigest(),
                    "pdf" if p.suffix == ".pdf" else "text", p.suffix, Limits()) for p in files] * 4
    alone = [o.value for o in guarded_map(read_job, jobs, 1, 60, 2048)]
    spread = [o.value for o in guarded_map(read_job, jobs, 2, 60, 2048)]
    assert spread == alone and all(reason is None for _, reason, _ in alone)
    norms = [(f"doc{i:02d}", normalize(extracted_from_json(x))) for i, (x, _, _) in enumerate(alone)]
    assert all(isinstance(n, NormalizedText) for _, n in norms)
    jobs = [(doc_id, "ab" * 32, norm) for doc_id, norm in norms]
    assert map_in_order(token_table_job, jobs * 4, workers=2) == map_in_order(token_table_job, jobs * 4, workers=1)
    # the tokens asset builds its tables in workers, column by column: the same rows as its spec's builder
    tables = map_in_order(token_table_job, jobs, workers=2)
    for (doc_id, sha, norm), table in zip(jobs, tables):
        expected = TOKENS.to_table([{**r, "source_sha256": sha} for r in tokens_rows(DocumentInputs(doc_id, "x", sha, norm))])
        assert table.num_rows > 0 and table.equals(expected), doc_id


def pandas_in_this_process(job: ReadAheadJob) -> tuple:
    """For a reading worker: what read_ahead_job gives, and whether pandas was ever imported."""
    import sys

    return read_ahead_job(job), sys.modules.get("pandas") is not None


def test_a_reading_worker_tokenizes_without_importing_pandas():
    """pyarrow imports pandas on its first list-to-array conversion (50 MiB, 0.4 s per worker);
    the reading workers mark it absent and build the same tokens table."""
    path = next(p for p in sorted(SAMPLE_INBOX.iterdir()) if p.suffix == ".pdf")
    job = ReadAheadJob(ReadJob(str(SAMPLE_INBOX), str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest(),
                               "pdf", ".pdf", Limits()), "d" * 16, prepare=True)
    [outcome] = guarded_map(pandas_in_this_process, [job], 1, 60, 2048, warm_up=warm_up_reading_worker)
    (stored, reason, _, prepared), pandas_imported = outcome.value
    assert reason is None and not pandas_imported
    norm = normalize(extracted_from_json(stored))
    sha = job.read.sha256
    expected = TOKENS.to_table([{**r, "source_sha256": sha} for r in tokens_rows(DocumentInputs("d" * 16, "x", sha, norm))])
    assert prepared.tokens.num_rows > 0 and prepared.tokens.equals(expected)


def test_zero_workers_means_one_per_core():
    assert worker_count(0) >= 1 and worker_count(3) == 3
