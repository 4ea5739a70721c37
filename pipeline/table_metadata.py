"""Dagster views of the table contracts in schemas/: the column schema shown in the UI."""

from __future__ import annotations

import dagster as dg

from schemas.contract import TableContract


def column_schema(contract: TableContract) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=c.name,
                type=str(c.type),
                description=c.description + (f" One of: {', '.join(c.allowed)}." if c.allowed else ""),
                constraints=dg.TableColumnConstraints(nullable=c.nullable, unique=contract.key == (c.name,)),
            )
            for c in contract.columns
        ]
    )


def definition_metadata(contract: TableContract) -> dict:
    return {"dagster/column_schema": column_schema(contract), "key": ", ".join(contract.key)}
