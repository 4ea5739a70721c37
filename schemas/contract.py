"""A published table's contract: the one definition behind its pyarrow schema, its Dagster
column metadata and its documentation (docs/tables/, by scripts/build_table_docs.py), so they
can never drift apart. The documentation-only fields (joins, trace, per_document) do not enter
the pyarrow schema, so the Parquet files and the GX suites do not change with them."""

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

    @property
    def meaning(self) -> str:
        """The description with the closed value set, as the docs show it."""
        return self.description + (f" One of: {', '.join(self.allowed)}." if self.allowed else "")


@dataclass(frozen=True)
class Join:
    """A way from this table's rows to another table's rows. Declared once, on the table whose
    rows point (the many side); the other table's page lists it as incoming. The docs' join lists,
    the join diagram and the join SQL are generated from it, and tests check its columns exist and
    that it finds a row on real output."""

    table: str                                  # the other table
    on: tuple[tuple[str, str], ...]             # (column here, column there) pairs that are equal
    meaning: str                                # what the join gives, one sentence
    within: tuple[str, str, str] | None = None  # (offset here, start there, end there): start <= offset < end
    optional: bool = False                      # True when a row here may have no match (null key)

    def columns_here(self) -> list[str]:
        return [a for a, _ in self.on] + ([self.within[0]] if self.within else [])

    def columns_there(self) -> list[str]:
        return [b for _, b in self.on] + (list(self.within[1:]) if self.within else [])

    def sql(self, here: str, there: str) -> str:
        """The join condition between aliases `here` and `there`."""
        terms = [f"{here}.{a} = {there}.{b}" for a, b in self.on]
        if self.within:
            offset, start, end = self.within
            terms += [f"{here}.{offset} >= {there}.{start}", f"{here}.{offset} < {there}.{end}"]
        return " AND ".join(terms)


@dataclass(frozen=True)
class Trace:
    """Which columns lead a row back to the characters, page and file it came from. Every row
    also has doc_id and source_sha256 (documents.source_path, sources.source_path)."""

    start: str | None = None  # offset into documents.text, code points, inclusive
    end: str | None = None    # offset into documents.text, exclusive; None when the row has only a start
    page: str | None = None   # 1-based PDF page column; null for text files
    note: str = ""            # what the columns alone do not say


@dataclass(frozen=True)
class TableContract:
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    version: str = "1"
    notes: tuple[str, ...] = field(default=())
    # Documentation only (docs/tables/). `description` is the one sentence saying what a row is.
    joins: tuple[Join, ...] = ()
    trace: Trace = Trace()
    per_document: bool = True  # rows of documents, one file per bucket; False: one file for the table (the ledger)
    # How the table is built, from which everything else is derived (assets, their deps, code
    # versions, the stamps' upstream chain, the ledger's deps); see pipeline/tables.py.
    code_version: str = "1"      # bump when a change to the builder changes the rows
    upstream: tuple[str, ...] = ()  # the stages (or tables) its rows are built from
    reference_inputs: tuple[str, ...] = ()  # files of data/reference/ the rows depend on
    rows: str = ""               # "module:function" (DocumentInputs -> rows), pipeline/core/rows.py
    rows_in_workers: str = ""    # "module:function" ((doc_id, sha256, NormalizedText) -> Arrow table), for costly tables
    kinds: tuple[str, ...] = ("parquet",)  # the asset's kinds in the Dagster UI
    # besides the key, the columns that name a failing row in validation results (Data Docs, checks)
    failing_row_columns: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def row_builder(self):
        """The function `rows` names (DocumentInputs -> rows)."""
        return _resolve(self.rows)

    def worker_builder(self):
        """The function `rows_in_workers` names, or None."""
        return _resolve(self.rows_in_workers) if self.rows_in_workers else None

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    def arrow_schema(self) -> pa.Schema:
        cached = self.__dict__.get("_arrow_schema")  # built once: every document's rows are checked against it
        if cached is None:
            cached = self._build_arrow_schema()
            object.__setattr__(self, "_arrow_schema", cached)
        return cached

    def _build_arrow_schema(self) -> pa.Schema:
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

    def table_from_columns(self, columns: dict[str, list]) -> pa.Table:
        """Columns (name -> values, every contract column) to a table of exactly this schema."""
        schema = self.arrow_schema()
        table = pa.Table.from_pydict({c.name: columns[c.name] for c in self.columns}, schema=schema)
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
                 self.columns_markdown(), *self.notes]
        return "\n".join(lines).rstrip() + "\n"

    def columns_markdown(self) -> str:
        """The column table: name, type, nullability, meaning with the allowed values."""
        lines = ["| column | type | null | meaning |", "| --- | --- | --- | --- |"]
        for c in self.columns:
            meaning = c.meaning.replace("|", "\\|")
            lines.append(f"| `{c.name}` | `{c.type}` | {'yes' if c.nullable else 'no'} | {meaning} |")
        return "\n".join(lines) + "\n"


def _resolve(dotted: str):
    """A "module:function" name of a table's spec to the function."""
    import importlib

    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)
