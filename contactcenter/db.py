"""Database helpers: bulk writes for the ingestion path, and migrations' shared operations."""

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
