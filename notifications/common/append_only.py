"""Database triggers that make the audit tables append-only, and the one switch that lets an erasure through.

The models already refuse save()/delete()/update() on these rows, but raw SQL, a shell or another
program would not go through them: the triggers make the database itself refuse.

- UPDATE is always refused, except the one UPDATE Django issues for `on_delete=SET_NULL` when a
  referenced user or draft is deleted: a nullable foreign key listed for the table may be set to
  NULL, and nothing else may change in that statement.
- DELETE is refused unless the erasure flag is on for the current transaction. It is switched on by
  `allow_erasure` (notifications/supervision/services/erasure.py) and by deleting a Customer
  (notifications/staff/signals.py), because a GDPR erasure must still be able to cascade to the customer's events.
  PostgreSQL: the transaction-local setting `sne.allow_erasure = 'on'` (`set_config(..., true)`).
  SQLite has no session settings: a row in the helper table `sne_erasure_flag`, inserted and deleted
  inside the same transaction (SQLite has one writer at a time, so no other transaction can see it).

Used by the migrations that create those tables (staff 0002, queue 0002, contact_rules 0002): the SQL is generated at
migrate time from the table's columns then, so a column added later is not covered by the SQLite
trigger (PostgreSQL compares whole rows), and on SQLite a migration that rebuilds the table drops
its triggers. tests/notifications/staff/test_append_only.py fails if either happens.
"""

from __future__ import annotations

from collections.abc import Sequence

FLAG_TABLE = "sne_erasure_flag"
PG_SETTING = "sne.allow_erasure"
PG_FUNCTION = "sne_append_only"

_PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    col text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF coalesce(current_setting('{PG_SETTING}', true), '') = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '% rows are append-only: they cannot be deleted (erasure: docs/operations.md)', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    -- UPDATE: only ON DELETE SET NULL of a listed foreign key (TG_ARGV) may pass.
    old_row := to_jsonb(OLD);
    new_row := to_jsonb(NEW);
    FOR i IN 0 .. TG_NARGS - 1 LOOP
        col := TG_ARGV[i];
        IF new_row -> col = 'null'::jsonb THEN
            old_row := old_row - col;
            new_row := new_row - col;
        END IF;
    END LOOP;
    IF old_row = new_row THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% rows are append-only: they cannot be updated', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;
"""


def _quote(schema_editor, name: str) -> str:  # noqa: ANN001 - a BaseDatabaseSchemaEditor
    return schema_editor.quote_name(name)


def install_support(schema_editor) -> None:  # noqa: ANN001
    """The shared pieces: the PostgreSQL trigger function, or the SQLite flag table."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTION_SQL, params=None)  # None: its RAISE uses % literally
    elif vendor == "sqlite":
        schema_editor.execute(f"CREATE TABLE IF NOT EXISTS {FLAG_TABLE} (id integer PRIMARY KEY CHECK (id = 1))")


def remove_support(schema_editor) -> None:  # noqa: ANN001
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FLAG_TABLE}")


def install_triggers(schema_editor, table: str, nullable_fks: Sequence[str] = ()) -> None:  # noqa: ANN001
    """Refuse UPDATE (bar SET NULL of `nullable_fks`) and DELETE (bar an erasure) on `table`."""
    vendor = schema_editor.connection.vendor
    q = _quote(schema_editor, table)
    if vendor == "postgresql":
        args = ", ".join(f"'{fk}'" for fk in nullable_fks)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {q} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}({args})"
        )
    elif vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            columns = [c.name for c in schema_editor.connection.introspection.get_table_description(cursor, table)]
        changed = [f"OLD.{_quote(schema_editor, c)} IS NOT NEW.{_quote(schema_editor, c)}" for c in columns]
        for fk in nullable_fks:
            changed.remove(f"OLD.{_quote(schema_editor, fk)} IS NOT NEW.{_quote(schema_editor, fk)}")
            qfk = _quote(schema_editor, fk)
            changed.append(f"(NEW.{qfk} IS NOT NULL AND NEW.{qfk} IS NOT OLD.{qfk})")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {q} WHEN {' OR '.join(changed)} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: they cannot be updated'); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {q} "
            f"WHEN NOT EXISTS (SELECT 1 FROM {FLAG_TABLE}) "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: they cannot be deleted "
            f"(erasure: docs/operations.md)'); END"
        )


def remove_triggers(schema_editor, table: str) -> None:  # noqa: ANN001
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {_quote(schema_editor, table)}")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def set_erasure_flag(connection, on: bool) -> None:  # noqa: ANN001 - a Django connection
    """Switch the DELETE exception on or off for the current transaction (see the module docstring)."""
    if not connection.in_atomic_block:
        # On SQLite an autocommitted flag row would stay, and on PostgreSQL a transaction-local setting
        # outside a transaction lasts one statement: either way the caller has a bug.
        raise RuntimeError("the erasure flag must be set inside transaction.atomic()")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, %s, true)", [PG_SETTING, "on" if on else "off"])
        elif connection.vendor == "sqlite":
            if on:
                cursor.execute(f"INSERT OR IGNORE INTO {FLAG_TABLE} (id) VALUES (1)")
            else:
                cursor.execute(f"DELETE FROM {FLAG_TABLE}")
