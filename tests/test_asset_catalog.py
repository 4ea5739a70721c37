"""What a data engineer sees of each asset in the Dagster UI before running anything: a
description, an owner, kinds, a group per stage, and, for a published table, its column schema
with every column's description, all from the same Definitions the webserver loads."""

import dagster as dg

from pipeline.definitions import defs
from pipeline.project import OWNERS
from schemas.tables import PUBLISHED_TABLES

STAGE_GROUPS = {
    "inbox_files": "ingest", "extracted_text": "ingest", "normalized_text": "normalize",
    "structured_fields": "structure", "corpus_report": "report",
    **{name: "publish" for name in PUBLISHED_TABLES},
}


def specs() -> dict[str, dg.AssetSpec]:
    return {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}


def test_every_asset_has_a_description_an_owner_kinds_and_its_stage_group():
    found = specs()
    assert set(found) == set(STAGE_GROUPS)
    for name, spec in found.items():
        assert spec.description and len(spec.description) > 30, name
        assert list(spec.owners) == OWNERS, name
        assert spec.kinds, name
        assert spec.group_name == STAGE_GROUPS[name], name
        assert spec.code_version, name


def test_published_tables_show_their_contract_columns_with_descriptions():
    found = specs()
    for name, contract in PUBLISHED_TABLES.items():
        spec = found[name]
        assert "parquet" in spec.kinds
        schema = spec.metadata["dagster/column_schema"]
        assert [c.name for c in schema.columns] == contract.column_names, name
        for column, declared in zip(schema.columns, contract.columns):
            assert column.description.startswith(declared.description), (name, column.name)
            assert column.constraints.nullable == declared.nullable, (name, column.name)
        assert spec.metadata["key"] == ", ".join(contract.key)
        assert spec.description == contract.description


def test_the_sensor_and_the_schedule_run_by_default_and_say_what_they_do():
    sensor = next(s for s in defs.sensors if s.name == "inbox_sensor")
    schedule = next(s for s in defs.schedules if s.name == "daily_rescan")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING and "inbox" in sensor.description
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING and "rescan" in schedule.description.lower()
