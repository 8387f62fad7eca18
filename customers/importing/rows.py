"""Turning one CSV record into database-ready values, or into row errors.

Shared by the bulk importer and the admin resources: given a FileSpec, the
header actually found in the file and the Customer_ID → pk lookup, `RowParser`
validates a record and returns the values in spec column order together with
the natural key and the source hash.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from customers.importing.schema import CUSTOMER_ID, FileSpec

NO_PROFILE = "no customer with this Customer_ID (not in the database nor in the profiles file)"


@dataclass(frozen=True, slots=True)
class CellError:
    column: str
    value: str
    reason: str


def source_hash(raw_values: Sequence[str]) -> str:
    """Digest of a row's source values in contract column order (32 hex chars)."""
    return hashlib.md5("\x1f".join(raw_values).encode(), usedforsecurity=False).hexdigest()


class RowParser:
    """Validates records of one file; built once per file, called per row."""

    def __init__(self, spec: FileSpec, header: Sequence[str], customers: Mapping[str, int]) -> None:
        position = {name: i for i, name in enumerate(header)}
        self.spec = spec
        self.width = len(header)
        # Source positions in contract order, so the hash does not depend on
        # the supplier's column order.
        self.source_indexes = [position[c.header] for c in spec.columns]
        self.plan = [(position[c.header], c.header, c.parse) for c in spec.columns]
        self.customers = customers
        self.key_indexes = spec.key_indexes
        self.row_checks = spec.row_checks

    def parse(self, record: Sequence[str]) -> tuple[list[object], tuple, str] | list[CellError]:
        """(values, natural key, source hash), or the list of this row's errors."""
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
                    errors = errors or []
                    errors.append(CellError(CUSTOMER_ID, raw, NO_PROFILE if raw.strip() else "required value is empty"))
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
        for check in self.row_checks:
            broken = check(values)
            if broken:
                column, reason = broken
                return [CellError(column, record[self.plan[self.spec.headers.index(column)][0]], reason)]
        raw_values = [record[i] for i in self.source_indexes]
        key = tuple(values[i] for i in self.key_indexes)
        return values, key, source_hash(raw_values)

    def parse_mapping(self, row: Mapping[str, object]) -> tuple[list[object], tuple, str] | list[CellError]:
        """Same as parse() for a header → value mapping (the admin's rows).

        The parser must have been built with `spec.headers` as its header.
        """
        return self.parse(["" if row.get(h) is None else str(row.get(h)) for h in self.spec.headers])
