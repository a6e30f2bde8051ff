"""Trigram GIN indexes for the contact search (`GET /api/v1/contacts?q=`) and the contact part
of the conversation list's `q`: Django's `icontains` is `UPPER(col::text) LIKE UPPER('%q%')`,
which a B-tree cannot serve and these can (for a `q` of 3 characters or more). PostgreSQL only;
`pg_trgm` is a trusted extension, so the database owner may create it."""

from django.db import migrations

FIELDS = ("name", "email", "phone")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for field in FIELDS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS contact_{field}_trgm ON chats_contact "
            f"USING gin (UPPER({field}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for field in FIELDS:
        schema_editor.execute(f"DROP INDEX IF EXISTS contact_{field}_trgm")


class Migration(migrations.Migration):
    dependencies = [("chats", "0005_canned_responses")]
    operations = [migrations.RunPython(create, drop)]
