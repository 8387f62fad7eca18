"""Reads the importer needs, each one query for a whole file (never per row)."""

from django.db import connection

from customers.importing.schema import FileSpec
from customers.models import Customer


def existing_hashes(spec: FileSpec) -> dict[tuple, str]:
    """Natural key → source_hash for every row already in the table.

    Keys have the same shape as RowParser keys: customer pk as int, datetimes
    as naive UTC 'YYYY-MM-DD HH:MM:SS' text, so a dict lookup tells created,
    updated and unchanged rows apart without a query per row.
    """
    qn = connection.ops.quote_name
    selects = []
    for name in spec.natural_key:
        column = qn(spec.db_column(name))
        if spec.model._meta.get_field(name).get_internal_type() == "DateTimeField":
            if connection.vendor == "postgresql":
                column = f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
            else:
                column = f"strftime('%%Y-%%m-%%d %%H:%%M:%%S', {column})"
        selects.append(column)
    sql = f"SELECT {', '.join(selects)}, source_hash FROM {qn(spec.table)}"
    result: dict[tuple, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [])
        while batch := cursor.fetchmany(10_000):
            for *key, digest in batch:
                result[tuple(key)] = digest
    return result


def customer_pks() -> dict[str, int]:
    """Customer_ID → primary key for every customer (one query)."""
    return dict(Customer.objects.values_list("customer_id", "id").iterator(chunk_size=10_000))


def customer_start_dates() -> dict[int, str]:
    """Customer pk → Customer_Since as 'YYYY-MM-DD' (one query)."""
    return {
        pk: day.isoformat()
        for pk, day in Customer.objects.values_list("id", "customer_since").iterator(chunk_size=10_000)
    }
