"""The IO manager of the per-document stages (extracted_text, normalized_text, structured_fields):
a step's output and the next step's input are StageValues (pipeline/stage_values.py), typed
results over the stage store for the run's buckets.

A step stores each document's result as it is done and commits a bucket by writing its stamps
(pipeline/storage.py StageStore), so a killed run keeps the buckets it finished: by the time a
step returns, everything its values name is on disk, and handle_output only checks that the step
returned its own stage's values. load_input gives a step its upstream's values for the buckets
of its run, in this process or another (the multiprocess and k8s executors): the stamps are read
now, each document's result when the step asks for it."""

from __future__ import annotations

import dagster as dg

from pipeline.stage_values import STAGE_TYPES, StageValues


STAGE_STORE = "stage_store"  # the resource key of the IO manager (pipeline/definitions.py run_resources)


class StageStoreIOManager(dg.IOManager):
    def __init__(self, settings):
        self.settings = settings

    def handle_output(self, context: dg.OutputContext, obj: StageValues) -> None:
        stage = context.asset_key.path[-1]
        if not isinstance(obj, StageValues) or obj.stage != stage:
            raise dg.DagsterInvariantViolationError(
                f"the {stage} step returned {obj!r}, not StageValues of {stage} (pipeline/stage_values.py)")
        context.log.debug(f"{stage}: {len(obj)} documents in {len(obj.buckets)} buckets, in the stage store")

    def load_input(self, context: dg.InputContext) -> StageValues:
        stage = context.asset_key.path[-1]
        if stage not in STAGE_TYPES:
            raise dg.DagsterInvariantViolationError(f"{stage} is not a stage with typed values (pipeline/stage_values.py)")
        store = self.settings.store
        buckets = (sorted(context.asset_partition_keys) if context.has_asset_partitions
                   else store.stamped_buckets(stage))
        return StageValues.stored(store, stage, {b: store.read_stamps(stage, b) for b in buckets})


def stage_values_type(stage: str) -> dg.DagsterType:
    """The Dagster type of a stage's values (shown in the UI, checked on output and input)."""
    kind = STAGE_TYPES[stage].type.__name__

    def check(_context, value) -> dg.TypeCheck:
        ok = isinstance(value, StageValues) and value.stage == stage
        return dg.TypeCheck(ok, description=None if ok else f"expected StageValues of {stage}, got {value!r}")

    return dg.DagsterType(check, name=f"StageValues_{stage}", typing_type=StageValues,
                          description=f"{kind} of each document by doc_id, read from the stage store when asked for")


STAGE_VALUES_TYPES = {stage: stage_values_type(stage) for stage in STAGE_TYPES}


def stage_input(stage: str) -> dg.AssetIn:
    """A step's input of an upstream stage's values."""
    return dg.AssetIn(stage, dagster_type=STAGE_VALUES_TYPES[stage])


@dg.io_manager(required_resource_keys={"settings"},
               description="Typed stage results (StageValues) over the stage store under the publish folder")
def stage_store_io_manager(context: dg.InitResourceContext) -> StageStoreIOManager:
    return StageStoreIOManager(context.resources.settings)
