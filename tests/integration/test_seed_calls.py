"""The seed's own calls work unchanged: on the class, through one process-wide service built from
the CONFIGADMIN_* variables on first use; on an instance, as ordinary methods."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from configadmin import ConfigurationService
from configadmin.service import class_calls

pytestmark = pytest.mark.postgres

# The seed's migration guide, Step 3, verbatim ("In Django shell: python manage.py shell").
SEED_MIGRATION = """\
# In Django shell: python manage.py shell
from loyalty.services.config_service import ConfigurationService
from django.conf import settings

# Migrate feature mapping
if hasattr(settings, 'ML_FEATURE_MAPPING'):
    ConfigurationService.set_ml_feature_mapping(
        settings.ML_FEATURE_MAPPING,
        updated_by='migration'
    )

# Migrate model input size
if hasattr(settings, 'ML_MODEL_INPUT_SIZE'):
    ConfigurationService.set_ml_model_input_size(
        settings.ML_MODEL_INPUT_SIZE,
        updated_by='migration'
    )
"""

# The seed's example flow, step 3, verbatim (plus a print to see the answer).
SEED_INFERENCE = """\
from loyalty.services.config_service import ConfigurationService
# 3. Inference service reads it
feature_mapping = ConfigurationService.get_ml_feature_mapping()
# Returns database value if exists, else config file, else settings.py
print(dict(feature_mapping), ConfigurationService.get_ml_model_input_size())
"""


# The README's training-script example, verbatim.
TRAINING_SCRIPT = """\
# train.py: run with CONFIGADMIN_DATABASE_URL and CONFIGADMIN_ENV set, as the inference service is
from configadmin import ConfigurationService

mapping = ConfigurationService.get_ml_feature_mapping()   # model feature -> data column, in order
size = ConfigurationService.get_ml_model_input_size()
if len(mapping) != size:
    raise SystemExit(f"the mapping names {len(mapping)} features, the model takes {size}")

rows = [{"total_revenue": 120.0, "txn_count": 3}, {"total_revenue": 80.5, "txn_count": 1}]
X = [[row[column] for column in mapping.values()] for row in rows]   # the analyst's order
print(list(mapping), X)
"""


@pytest.fixture
def seed_project(tmp_path: Path) -> Path:
    """The seed's project layout: `loyalty.services.config_service` re-exports our class (the README
    shows this one-line module) and a stand-in for Django's settings (Django is not installed here)."""
    services = tmp_path / "loyalty" / "services"
    services.mkdir(parents=True)
    (tmp_path / "loyalty" / "__init__.py").write_text("")
    (services / "__init__.py").write_text("")
    (services / "config_service.py").write_text("from configadmin import ConfigurationService  # noqa: F401\n")
    (tmp_path / "django").mkdir()
    (tmp_path / "django" / "__init__.py").write_text("")
    (tmp_path / "django" / "conf.py").write_text(
        "from types import SimpleNamespace\n"
        "settings = SimpleNamespace(ML_FEATURE_MAPPING={'revenue': 'total_revenue', "
        "'transaction_count': 'txn_count'}, ML_MODEL_INPUT_SIZE=2, DEBUG=True)\n")
    return tmp_path


def run_in(project: Path, code: str, url: str) -> str:
    env = {**os.environ, "CONFIGADMIN_DATABASE_URL": url, "CONFIGADMIN_ENV": "production",
           "PYTHONPATH": os.pathsep.join([str(project), os.getcwd()])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120, cwd=project)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_seed_migration_and_inference_snippets_run_verbatim(seed_project: Path, pg_url: str) -> None:
    run_in(seed_project, SEED_MIGRATION, pg_url)
    with ConfigurationService.connect(pg_url, environment="production", strict=True) as svc:
        mapping = svc.resolve("ml", "feature_mapping")
        assert (dict(mapping.value), str(mapping.source)) == (
            {"revenue": "total_revenue", "transaction_count": "txn_count"}, "database")
        assert svc.get_ml_model_input_size() == 2
        assert {e.actor for e in svc.history(environment="production")} == {"migration"}
    out = run_in(seed_project, SEED_INFERENCE, pg_url)
    assert out.strip() == "{'revenue': 'total_revenue', 'transaction_count': 'txn_count'} 2"
    out = run_in(seed_project, TRAINING_SCRIPT, pg_url)
    assert out.strip() == "['revenue', 'transaction_count'] [[120.0, 3], [80.5, 1]]"


@pytest.fixture
def shared_from_env(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("CONFIGADMIN_DATABASE_URL", pg_url)
    monkeypatch.setenv("CONFIGADMIN_ENV", "staging")
    class_calls.close_shared()
    yield pg_url
    class_calls.close_shared()


def test_class_calls_share_one_service_built_once_across_threads(
        shared_from_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[ConfigurationService] = []
    real_connect = ConfigurationService.connect

    def counting_connect(*args: object, **kwargs: object) -> ConfigurationService:
        svc = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        built.append(svc)
        return svc

    monkeypatch.setattr(ConfigurationService, "connect", counting_connect)
    answers: list[int] = []
    go = threading.Barrier(16)

    def first_use() -> None:
        go.wait()  # sixteen threads make the first class call at the same moment
        answers.append(ConfigurationService.get_ml_model_input_size())

    threads = [threading.Thread(target=first_use) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 16 and len(set(answers)) == 1 and len(built) == 1
    ConfigurationService.set_ml_model_input_size(7, updated_by="trainer")
    assert ConfigurationService.get_ml_model_input_size() == 7
    assert built[0].environment == "staging"


def test_instance_calls_stay_ordinary_methods_next_to_the_class_calls(shared_from_env: str) -> None:
    with ConfigurationService.connect(shared_from_env, environment="dev", user="tester") as mine:
        mine.set_ml_model_input_size(12, updated_by="alice")
        assert mine.get_ml_model_input_size() == 12
        assert ConfigurationService.get_ml_model_input_size() != 12  # the shared one reads staging
        assert mine.get_ml_model_input_size.__self__ is mine  # type: ignore[attr-defined]
