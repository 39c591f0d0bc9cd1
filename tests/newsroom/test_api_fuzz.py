"""The API says what it enforces: schemathesis, from the schema the server publishes, against the live test server
with each role's token. Bounded (a fixed seed, a few examples per operation) and only to the test server.

Checks: no 5xx; every response as the schema says; data the schema allows is accepted (positive mode) and data it
forbids is refused (negative mode). Left out: the token endpoint (fuzzing it would sign the caller out or lock
them out) and the feed operations (registering a feed polls it in the background). What fetches from an address
given (an import by address, the watch's check) is fuzzed with FETCH_ONLY_HOSTS naming a host that is never asked
for: every made-up address is refused before its name is looked up, so the server never reaches out. The account
operations are fuzzed too: their invitations and reset links go to Django's in-memory mail backend (pytest-django's
for every test), never to a made-up address; the admin runs last, so resetting a colleague's second factor (which
ends their token) cannot cut another role's run short, and its own second factor is never required here
(REQUIRE_2FA_FOR is empty in the tests' settings).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from editorial.models import State
from tests.conftest import article_in

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = "not_a_server_error,response_schema_conformance,positive_data_acceptance,negative_data_rejection"
EXAMPLES = 6
CONFIG = Path(__file__).with_name("schemathesis.toml")


def _schemathesis() -> str:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("schemathesis is not installed in this environment (requirements.txt lists it)")
    return found


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_every_operation_keeps_to_its_schema_for_every_role(live_server, translator, editor, admin_user, settings,
                                                            tmp_path):
    binary = _schemathesis()
    settings.FETCH_ONLY_HOSTS = ["outlet.fuzz.invalid"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "100000/min", "anon": "100000/min"}}
    for state in (State.MACHINE_DRAFT, State.TRANSLATION, State.PUBLISHED):
        article_in(state, editor=editor, translator=translator)
    failures = []
    # The translator first and the admin last: an admin's run may change the others' roles or deactivate them.
    for user in (translator, editor, admin_user)[int(os.environ.get("FUZZ_FROM", "0")):]:
        token = Token.objects.get_or_create(user=user)[0].key
        result = subprocess.run(
            [binary, "--config-file", str(CONFIG), "run", f"{live_server.url}/api/v1/schema/", "--url", live_server.url,
             "-H", f"Authorization: Token {token}", "--checks", CHECKS, "--mode", "all",
             "--max-examples", str(EXAMPLES), "--seed", "20261201", "--generation-deterministic",
             "--generation-allow-x00", "false",
             "--exclude-path-regex", r"^/api/v1/(auth/token|feeds)/", "--phases",
             "examples,coverage,fuzzing",
             "--request-timeout", "20", "--workers", "1", "--no-color", "--warnings", "off"],
            # Each role in a folder of its own: schemathesis keeps a cache of what it learnt from the server's
            # answers there, and one role's lessons (a 400 the import gives another role) must not shape the next.
            capture_output=True, text=True, timeout=900, cwd=_folder(tmp_path / user.username),
        )
        if result.returncode != 0:
            failures.append(f"--- as {user.username} ---\n{result.stdout[-12000:]}{result.stderr[-3000:]}")
    assert not failures, "\n".join(failures)
