"""The README's unmanaged Django model (copied here as the README shows it) still reads `system_configuration` after 0003 (value is
`json` on PostgreSQL), entry order included. Runs Django in another interpreter (its settings are
process-wide)."""
from __future__ import annotations

import importlib.util
import json

import pytest
from sqlalchemy.engine import make_url

from configadmin import ConfigurationService

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(importlib.util.find_spec("django") is None,
                                 reason="Django is not installed (pip install -e '.[bench]')")]

DJANGO_READER = """
import json, sys
import django
from django.conf import settings
name, host, port, user = sys.argv[1:5]
settings.configure(DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": name,
                   "HOST": host, "PORT": port, "USER": user}}, INSTALLED_APPS=[], USE_TZ=True)
django.setup()
from django.db import models

class StoredJSONField(models.JSONField):
    def from_db_value(self, value, expression, connection):
        if value is None or not isinstance(value, str):
            return value
        return super().from_db_value(value, expression, connection)

class SystemConfiguration(models.Model):
    environment = models.CharField(max_length=64)
    category = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    value = StoredJSONField()
    is_active = models.BooleanField()
    version = models.IntegerField()
    updated_by = models.CharField(max_length=150, null=True)
    updated_at = models.DateTimeField(null=True)

    class Meta:
        app_label = "readers"
        managed = False
        db_table = "system_configuration"
        unique_together = [("environment", "category", "key")]

row = SystemConfiguration.objects.filter(
    environment="production", category="ml", key="feature_mapping", is_active=True).first()
print(json.dumps({"keys": list(row.value), "size": SystemConfiguration.objects.get(
    environment="production", key="model_input_size").value, "version": row.version}))
"""


def test_the_readme_django_model_reads_the_values_in_their_order(pg_url: str, run_script) -> None:  # type: ignore[no-untyped-def]
    with ConfigurationService.connect(pg_url, environment="production", user="alice") as svc:
        svc.set("ml", "feature_mapping", {"zeta": "col_z", "a": "col_a", "middle": "col_m"})
        svc.set("ml", "model_input_size", 12)
    url = make_url(pg_url)
    out = run_script(DJANGO_READER, str(url.database), str(url.host), str(url.port or 5432),
                     str(url.username))
    assert json.loads(out) == {"keys": ["zeta", "a", "middle"], "size": 12, "version": 1}
