"""A published table's contract: the one definition behind its pyarrow schema, its Dagster
column metadata and its documentation, so the three can never drift apart."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    nullable: bool = False
    allowed: tuple[str, ...] = ()  # closed value set, when the column has one


@dataclass(frozen=True)
class TableContract:
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    version: str = "1"
    notes: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    def arrow_schema(self) -> pa.Schema:
        fields = [
            pa.field(c.name, c.type, nullable=c.nullable, metadata={"description": c.description})
            for c in self.columns
        ]
        return pa.schema(fields, metadata={"seimei.table": self.name, "seimei.contract_version": self.version})

    def to_table(self, rows: list[dict]) -> pa.Table:
        """Rows (dicts) to a table of exactly this schema; fails loudly on a missing non-null value."""
        schema = self.arrow_schema()
        table = pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()
        self.check(table)
        return table

    def check(self, table: pa.Table) -> None:
        """Raise ValueError when the table breaks the contract's types, nullability or value sets."""
        expected = self.arrow_schema()
        if table.schema.names != expected.names:
            raise ValueError(f"{self.name}: columns {table.schema.names} != contract {expected.names}")
        for c in self.columns:
            col = table.column(c.name)
            if not col.type.equals(c.type):
                raise ValueError(f"{self.name}.{c.name}: type {col.type} != contract {c.type}")
            if not c.nullable and col.null_count:
                raise ValueError(f"{self.name}.{c.name}: {col.null_count} nulls in a non-null column")
            if c.allowed:
                bad = set(v for v in col.to_pylist() if v is not None) - set(c.allowed)
                if bad:
                    raise ValueError(f"{self.name}.{c.name}: values {sorted(bad)} not in {list(c.allowed)}")

    def markdown(self) -> str:
        lines = [f"### `{self.name}`", "", self.description, "", f"Key: `{', '.join(self.key)}`", "",
                 "| column | type | null | meaning |", "| --- | --- | --- | --- |"]
        for c in self.columns:
            meaning = c.description + (f" One of: {', '.join(c.allowed)}." if c.allowed else "")
            lines.append(f"| `{c.name}` | {c.type} | {'yes' if c.nullable else 'no'} | {meaning} |")
        lines.extend(["", *self.notes])
        return "\n".join(lines).rstrip() + "\n"
