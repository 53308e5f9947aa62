"""Database helpers: the ingestion path's writes, and migrations' shared operations.

The writes take one statement where Django's ORM takes several, or takes long to build one:
many rows updated at once, a row inserted unless it is there already.
"""

from functools import cache

from django.db import DatabaseError, connection, transaction


def update_rows(model, objects: list, fields: list[str]) -> None:
    """model.objects.bulk_update(objects, fields), as one UPDATE ... FROM (VALUES ...) on PostgreSQL.

    bulk_update writes a CASE per field listing every row, which Django takes longer to build
    than PostgreSQL takes to run; a VALUES list is a row per object, each value cast to its column.
    """
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, fields)
        return
    qn = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    names = ", ".join(qn(column.column) for column in columns)
    assignments = ", ".join(f"{qn(c.column)} = v.{qn(c.column)}::{c.db_type(connection)}" for c in columns)
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    params: list = []
    for obj in objects:
        params.append(obj.pk)
        params.extend(column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns)
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(objects))}) "  # noqa: S608
            f"AS v(pk, {names}) WHERE {table}.{pk} = v.pk::bigint",
            params,
        )


def insert_unless_present(obj, unique: tuple[str, ...]) -> bool:
    """Insert obj (pk unset) unless a row has its values of `unique` already; whether it did (obj.pk set then).

    One INSERT … ON CONFLICT DO NOTHING RETURNING, PostgreSQL and SQLite alike: a duplicate costs
    no IntegrityError, so no savepoint inside the caller's transaction. It is the store of every
    input (webhooks, IMAP), where Model.objects.create() spent 0.3 ms of CPU against 0.08 ms for
    the statement alone. `unique` must be the columns of a unique constraint.
    """
    meta = type(obj)._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    # As save() does: pre_save stamps auto_now(_add) fields (defaults are set by the constructor).
    params = [field.get_db_prep_save(field.pre_save(obj, add=True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(type(obj), tuple(unique)), params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, connection.alias
    return True


@cache
def _insert_sql(model, unique: tuple[str, ...]) -> str:
    qn = connection.ops.quote_name
    meta = model._meta
    columns = [field.column for field in meta.concrete_fields if not field.primary_key]
    conflict = ", ".join(qn(meta.get_field(name).column) for name in unique)
    return (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608 - names from _meta
        f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT ({conflict}) DO NOTHING RETURNING {qn(meta.pk.column)}"
    )


def compress_with_lz4(table: str, *columns: str):
    """A RunPython pair storing new values of these columns with lz4 instead of pglz.

    Raw e-mail and message texts are written hundreds of times a second in a campaign and read
    rarely: lz4 compresses them several times faster (PostgreSQL's CPU per ingested input fell
    by about a tenth in make bench-ingest) for a little more disk. Values already stored keep
    their compression. Where lz4 cannot be had (SQLite, PostgreSQL before 14 or built without
    it) nothing changes.
    """

    def set_method(method: str):
        def apply(apps, schema_editor) -> None:
            connection = schema_editor.connection
            if connection.vendor != "postgresql" or connection.pg_version < 140000:
                return
            qn = connection.ops.quote_name
            alter = ", ".join(f"ALTER COLUMN {qn(column)} SET COMPRESSION {method}" for column in columns)
            try:
                with transaction.atomic(using=connection.alias):
                    schema_editor.execute(f"ALTER TABLE {qn(table)} {alter}")
            except DatabaseError:  # a server built without lz4: pglz it stays
                return

        return apply

    return set_method("lz4"), set_method("pglz")
