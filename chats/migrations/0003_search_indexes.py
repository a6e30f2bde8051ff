"""GIN indexes for the Russian and English full-text search over message bodies (PostgreSQL
only; SQLite searches without them)."""

from django.db import migrations

INDEXES = {
    "message_body_ru_fts": "russian",
    "message_body_en_fts": "english",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, config in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON chats_message "
            f"USING gin (to_tsvector('{config}'::regconfig, COALESCE(body, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("chats", "0002_initial")]
    operations = [migrations.RunPython(create, drop)]
