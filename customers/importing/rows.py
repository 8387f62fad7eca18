"""Turning one CSV record into database-ready values, or into row errors.

Shared by the bulk importer and the admin resources: given a FileSpec, the
header actually found in the file and the ParseContext (Customer_ID → pk and
what the file's warning rules consult), `RowParser` validates a record and
returns the values in spec column order together with the natural key, the
source hash and the row's data-quality warnings.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from customers.importing.schema import CUSTOMER_ID, FileSpec, ParseContext

NO_PROFILE = "no customer with this Customer_ID (not in the database nor in the profiles file)"


@dataclass(frozen=True, slots=True)
class CellError:
    """A problem with one cell: an error (the row is refused) or a warning (stored, and reported)."""

    column: str
    value: str
    reason: str


# (values, natural key, source hash, warnings or None)
Parsed = tuple[list[object], tuple, str, list[CellError] | None]


def source_hash(raw_values: Sequence[str]) -> str:
    """Digest of a row's source values in contract column order (32 hex chars)."""
    return hashlib.md5("\x1f".join(raw_values).encode(), usedforsecurity=False).hexdigest()


class RowParser:
    """Validates records of one file; built once per file, called per row."""

    def __init__(self, spec: FileSpec, header: Sequence[str], context: ParseContext) -> None:
        position = {name: i for i, name in enumerate(header)}
        self.spec = spec
        self.width = len(header)
        # Source positions in contract order, so the hash does not depend on
        # the supplier's column order.
        self.source_indexes = [position[c.header] for c in spec.columns]
        self.plan = [(position[c.header], c.header, c.parse) for c in spec.columns]
        self.source = {c.header: position[c.header] for c in spec.columns}  # contract header → record position
        self.customers = context.customers
        self.key_indexes = spec.key_indexes
        self.warn = spec.row_warnings(context)

    def parse(self, record: Sequence[str]) -> Parsed | list[CellError]:
        """(values, natural key, source hash, warnings), or the list of this row's errors."""
        if len(record) != self.width:
            return [
                CellError(
                    "row",
                    f"{len(record)} fields",
                    f"expected {self.width} fields (unquoted comma or missing separator?)",
                )
            ]
        values: list[object] = []
        errors: list[CellError] | None = None
        customers = self.customers
        for index, header, parse in self.plan:
            raw = record[index]
            if parse is None:
                pk = customers.get(raw)
                if pk is None:
                    pk = customers.get(raw.strip())
                    if pk is None:
                        errors = errors or []
                        errors.append(
                            CellError(CUSTOMER_ID, raw, NO_PROFILE if raw.strip() else "required value is empty")
                        )
                values.append(pk)
                continue
            try:
                values.append(parse(raw))
            except ValueError as exc:
                errors = errors or []
                errors.append(CellError(header, raw, str(exc)))
                values.append(None)
        if errors:
            return errors
        warnings = None
        if self.warn is not None:
            found = self.warn(values)
            if found:
                warnings = [CellError(c, record[self.source[c]], reason) for c, reason in found]
        raw_values = [record[i] for i in self.source_indexes]
        key = tuple(values[i] for i in self.key_indexes)
        return values, key, source_hash(raw_values), warnings

    def key_label(self, record: Sequence[str]) -> tuple[str, str]:
        """('Customer_ID+Last_Login', 'C001+2026-01-02 10:00'): the natural key's headers and cells, for a
        duplicate-key error."""
        headers = [next(c.header for c in self.spec.columns if c.field == f) for f in self.spec.natural_key]
        return "+".join(headers), "+".join(record[self.source[h]] for h in headers)

    def customer_id(self, record: Sequence[str]) -> str:
        """The record's Customer_ID cell, trimmed ("" when the file has no such column)."""
        index = self.source.get(CUSTOMER_ID)
        return record[index].strip() if index is not None and index < len(record) else ""
