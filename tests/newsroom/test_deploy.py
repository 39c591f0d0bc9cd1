"""Production settings pass Django's deployment checklist; missing secrets are refused."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3Jv9xQ2pL7mN4rT8wZ1yB6cF5hD0sA-prod-like-secret-value-!@#",
    "ALLOWED_HOSTS": "desk.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def _manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_shared_database_without_secret_key_refuses_to_start(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    env.update(TARJAMA_VAR_DIR=str(tmp_path), DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr and "same SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # no per-host key was made
    # The same with the key set starts; so does a development machine (DEBUG on) without one.
    assert _manage("check", env={**env, "SECRET_KEY": PRODUCTION["SECRET_KEY"]}).returncode == 0
    assert _manage("check", env={**env, "DEBUG": "1"}).returncode == 0


def test_without_secret_key_each_installation_keeps_its_own_random_key(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    # One machine on its own SQLite file (what `make run` is): a key kept in var/ is enough.
    env.update(TARJAMA_VAR_DIR=str(tmp_path), DATABASE_URL="")
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    key_file = tmp_path / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 80 and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert _manage("check", env=env).returncode == 0
    assert key_file.read_text() == key  # kept, not regenerated: sessions survive restarts
    key_file.write_text("short")
    broken = _manage("check", env=env)
    assert broken.returncode != 0 and "is not a usable secret key" in broken.stderr


def test_var_and_the_database_in_it_are_for_the_owner_only(tmp_path):
    """The SQLite file holds tokens and session keys: no other local user may read it, nor list var/."""
    var = tmp_path / "var"
    result = _manage("migrate", "--noinput", env={"TARJAMA_VAR_DIR": str(var), "DATABASE_URL": "",
                                                  "SECRET_KEY": PRODUCTION["SECRET_KEY"]})
    assert result.returncode == 0, result.stderr
    assert oct(var.stat().st_mode & 0o777) == "0o700"
    files = [p for p in var.iterdir() if p.name.startswith("tarjama.sqlite3")]
    assert {p.name for p in files} >= {"tarjama.sqlite3"}
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in files), {p.name: oct(p.stat().st_mode) for p in files}
    # A folder made too open by an earlier version is closed again.
    var.chmod(0o755)
    (var / "tarjama.sqlite3").chmod(0o644)
    assert _manage("check", env={"TARJAMA_VAR_DIR": str(var), "DATABASE_URL": "",
                                 "SECRET_KEY": PRODUCTION["SECRET_KEY"]}).returncode == 0
    assert oct(var.stat().st_mode & 0o777) == "0o700"
    assert oct((var / "tarjama.sqlite3").stat().st_mode & 0o777) == "0o600"


def test_the_cache_may_not_share_the_brokers_redis_database(tmp_path):
    """Emptying the cache (a restore does) must never empty the job queue and the scheduler's lease."""
    env = {"TARJAMA_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "SECRET_KEY": PRODUCTION["SECRET_KEY"],
           "REDIS_URL": "redis://127.0.0.1:6379/3"}
    refused = _manage("check", env={**env, "CACHE_REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert refused.returncode != 0 and "CACHE_REDIS_URL must not be REDIS_URL" in refused.stderr
    assert _manage("check", env={**env, "CACHE_REDIS_URL": "redis://127.0.0.1:6379/4"}).returncode == 0


def test_https_alone_makes_both_cookies_secure(tmp_path):
    """SECURE_SSL_REDIRECT is the one switch: the CSRF cookie, like the session's, then travels over HTTPS only
    (check --deploy stays clean without setting either cookie flag)."""
    env = {k: v for k, v in PRODUCTION.items() if k not in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")}
    env.update(TARJAMA_VAR_DIR=str(tmp_path), DATABASE_URL="")
    code = "from django.conf import settings; print(settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_SECURE)"
    result = _manage("shell", "-c", code, env=env)
    assert result.stdout.split()[-2:] == ["True", "True"], result.stdout + result.stderr
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
