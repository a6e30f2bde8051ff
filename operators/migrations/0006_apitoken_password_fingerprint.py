"""API tokens record the password they were issued under; the tokens that exist keep working
under the operator's current password."""

import hashlib

from django.db import migrations, models


def fingerprint_existing_tokens(apps, schema_editor):
    ApiToken = apps.get_model("operators", "ApiToken")
    for token in ApiToken.objects.select_related("operator").iterator():
        # the same digest as operators.models.password_fingerprint, frozen here
        token.password_fingerprint = hashlib.sha256(
            f"helpdesk.api-token:{token.operator.password}".encode()
        ).hexdigest()
        token.save(update_fields=["password_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("operators", "0005_remembered_status_idle_consoles"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="password_fingerprint",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fingerprint_existing_tokens, migrations.RunPython.noop),
    ]
