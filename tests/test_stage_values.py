"""Stage results travel along the asset graph as typed values (pipeline/stage_values.py,
pipeline/stage_io.py): a stage's asset can be called like a function on values built in memory,
and a run hands the next step the same typed values through the stage store."""

import hashlib
import shutil

import dagster as dg
import pytest

from conftest import SAMPLE_INBOX
from pipeline.automation import rescan
from pipeline.buckets import bucket_keys, bucket_of
from pipeline.core.lines import ExtractedText
from pipeline.core.process import NormalizedText, normalize, read_source
from pipeline.core.structure import Structure, extract_structure
from pipeline.resources import SeimeiSettings, officials_extractor, reference_data
from pipeline.stage_values import STAGE_TYPES, StageValues


def _sample(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    path = sorted(SAMPLE_INBOX.glob("*.txt"))[0]
    shutil.copy(path, inbox)
    doc_id = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out), workers=1), path, doc_id


def test_the_stage_assets_called_directly_turn_typed_values_into_typed_values(tmp_path):
    from assets.normalization import normalized_text
    from assets.structure import structured_fields

    settings, path, doc_id = _sample(tmp_path)
    bucket = bucket_of(doc_id)
    rescan(settings)  # the scan (manifest) the stages plan from, as inbox_files records it
    extracted = read_source(path, "text")
    context = dg.build_asset_context(partition_key=bucket)

    normalized = normalized_text(context, settings=settings,
                                 extracted_text=StageValues.of("extracted_text", {doc_id: extracted})).value
    assert isinstance(normalized, StageValues) and normalized.stage == "normalized_text"
    assert list(normalized) == [doc_id] and normalized.buckets == [bucket]
    assert normalized[doc_id] == normalize(extracted)

    structured = structured_fields(dg.build_asset_context(partition_key=bucket), settings=settings,
                                   normalized_text=normalized).value
    assert isinstance(structured[doc_id], Structure)
    assert structured[doc_id] == extract_structure(normalize(extracted), reference_data(), officials_extractor(),
                                                   settings.limits)
    assert structured[doc_id].doc_type and structured[doc_id].dates


def test_a_document_without_an_upstream_value_is_passed_over_not_invented(tmp_path):
    from assets.normalization import normalized_text

    settings, _, doc_id = _sample(tmp_path)
    rescan(settings)
    values = normalized_text(dg.build_asset_context(partition_key=bucket_of(doc_id)), settings=settings,
                             extracted_text=StageValues.of("extracted_text", {})).value
    assert len(values) == 0 and values.get(doc_id) is None
    with pytest.raises(KeyError):
        values[doc_id]


def test_a_run_hands_each_step_the_typed_values_of_its_buckets(tmp_path):
    """Through the IO manager: every stage's output is StageValues of its own stage whose values
    are the stored results decoded, for exactly the run's buckets."""
    from pipeline.automation import RANGE_END, RANGE_START
    from pipeline.definitions import ASSETS, run_resources

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(SAMPLE_INBOX, inbox)
    keys = bucket_keys()
    with dg.instance_for_test() as instance:
        result = dg.materialize(ASSETS, instance=instance, tags={RANGE_START: keys[0], RANGE_END: keys[-1]},
                                resources=run_resources(SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out), workers=1)))
        assert result.success
        doc_ids = {hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in SAMPLE_INBOX.iterdir() if p.is_file()}
        for stage, kind in (("extracted_text", ExtractedText), ("normalized_text", NormalizedText),
                            ("structured_fields", Structure)):
            values = result.asset_value(stage)
            assert isinstance(values, StageValues) and values.stage == stage
            assert values.buckets == keys and set(values) == doc_ids
            assert all(isinstance(values[d], kind) for d in doc_ids)
            stored = SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out)).store.read(stage, min(doc_ids))
            assert values[min(doc_ids)] == STAGE_TYPES[stage].from_json(stored)


def test_a_step_that_returns_another_stages_values_fails_its_run(tmp_path):
    """The IO manager checks what it is handed: a stage returning values of another stage (a
    wiring slip) is a failure of the step, never values filed under the wrong name."""
    from pipeline.stage_io import STAGE_VALUES_TYPES

    wrong = StageValues.of("normalized_text", {})
    check = STAGE_VALUES_TYPES["structured_fields"].type_check(dg.build_op_context(), wrong)
    assert not check.success and "structured_fields" in check.description
    assert STAGE_VALUES_TYPES["normalized_text"].type_check(dg.build_op_context(), wrong).success
