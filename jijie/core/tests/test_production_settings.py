"""Production is the default: the app starts with exactly the variables of the recipe in
docs/operations.md ("Production on one server"), read from the guide itself, passes
`check --deploy`, and refuses to start without any one of its keys, naming it."""

from __future__ import annotations

import base64
import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
GUIDE = ROOT / "docs" / "operations.md"


def _key(size: int) -> str:
    return base64.urlsafe_b64encode(os.urandom(size)).decode().rstrip("=")


# What an operator puts where the recipe shows `…`, made as the guide says to make it.
FILLED = {
    "SECRET_KEY": lambda: _key(48),
    "AUDIT_KEY": lambda: _key(48),
    "PII_HASH_KEY": lambda: _key(48),
    "PII_KEYS": lambda: "1:" + _key(32),
    "GATE_SIGNING_KEY": lambda: _key(32),
    "DATABASE_URL": lambda: "postgres://jijie:secret@127.0.0.1:5432/jijie",
}


def recipe() -> dict[str, str]:
    """The variables the recipe exports, each `…` filled in."""
    section = GUIDE.read_text().split("## Production on one server", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the recipe's code block"
    variables = {}
    for line in block.group(1).splitlines():
        if not line.startswith("export "):
            continue
        for word in shlex.split(line, comments=True)[1:]:
            name, _sep, value = word.partition("=")
            if "…" in value:
                assert name in FILLED, f"the test does not know how to fill {name}"
                value = FILLED[name]()
            variables[name] = value
    return variables


def start(variables: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a child process whose environment holds these variables only
    (and what any process needs to run)."""
    kept = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    kept["DJANGO_ENV_FILE"] = os.devnull  # a developer's .env adds nothing
    return subprocess.run(  # noqa: S603  (our own interpreter and manage.py)
        [sys.executable, str(ROOT / "manage.py"), *command],
        env={**kept, **variables},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def refused(answer: subprocess.CompletedProcess[str]) -> list[str]:
    """The variables a refusal to start names."""
    assert answer.returncode != 0, answer.stdout
    found = re.search(
        r"ImproperlyConfigured: Production settings .*?: ([A-Z_, ]+)\.", answer.stderr
    )
    assert found is not None, answer.stderr[-2000:]
    return [name.strip() for name in found.group(1).split(",")]


def test_the_recipe_starts_and_passes_the_deploy_check():
    variables = recipe()
    assert "DJANGO_DEBUG" not in variables  # production needs no flag
    answer = start(variables, "check", "--deploy", "--fail-level", "WARNING")
    assert answer.returncode == 0, answer.stderr[-3000:]
    assert "no issues" in answer.stdout


def test_without_any_one_key_of_the_recipe_the_app_refuses_naming_it():
    variables = recipe()
    # With nothing set, the one message names every required variable; each is in the
    # recipe, and the recipe without it is refused with its name alone.
    required = refused(start({}, "check"))
    assert set(required) == {
        "SECRET_KEY",
        "AUDIT_KEY",
        "PII_KEYS",
        "PII_HASH_KEY",
        "GATE_SIGNING_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
    }
    assert set(required) <= set(variables)
    cases = [{k: v for k, v in variables.items() if k != name} for name in required]
    cases.append({**variables, **dict.fromkeys(required, " ")})  # blank is unset
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda env: start(env, "check"), cases))
    assert [refused(answer) for answer in answers] == [[name] for name in required] + [required]


def test_the_public_development_key_is_refused_in_production():
    answer = start(
        {**recipe(), "SECRET_KEY": "dev-only-insecure-key-change-me-in-production-0123456789"},
        "check",
    )
    assert refused(answer) == ["SECRET_KEY"]


@pytest.mark.django_db
@override_settings(DEVELOPMENT=False)
def test_the_demo_city_is_not_loaded_in_production():
    with pytest.raises(CommandError, match="DJANGO_DEBUG=true"):
        call_command("demo_city", stdout=StringIO())
    assert not get_user_model().objects.exists()
