"""A real WordPress for the publish-target tests: Debian's `wordpress` package under `php -S` on 127.0.0.1, on the
machine's MariaDB (root, no password, 127.0.0.1:3306).

Debian's WordPress reads /etc/wordpress/config-<host>.php: the site is set up for the host 127.0.0.1 with a
database of its own, installed by POSTing wp-admin/install.php?step=2, and given an Application Password by a
few lines of PHP through wp-load.php. WP_ENVIRONMENT_TYPE=local lets Application Passwords work over plain HTTP.
`stop()` stops PHP (WordPress down) and `start()` brings it back on the same port.
"""

import json
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path("/usr/share/wordpress")
CONFIG_DIR = Path("/etc/wordpress")
HOST = "127.0.0.1"
ADMIN, EDITOR_LOGIN = "wpadmin", "wpauthor"


def available() -> str:
    """'' when a WordPress can run here, else what is missing."""
    if not (ROOT / "wp-load.php").exists():
        return "Debian's wordpress package is not installed (.ci/run installs it: wordpress php-cli php-mysql)"
    if shutil.which("php") is None or shutil.which("mysql") is None:
        return "php-cli and the MariaDB client are needed"
    return ""


def _mysql(sql: str) -> None:
    subprocess.run(["mysql", "-uroot", "-h127.0.0.1", "-P3306", "-e", sql], check=True, capture_output=True,
                   timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class WordPress:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.database = f"tarjama_wp_{secrets.token_hex(4)}"
        self.port = _free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.config = CONFIG_DIR / f"config-{HOST}.php"
        self.process = None
        _mysql(f"CREATE DATABASE {self.database} CHARACTER SET utf8mb4")
        CONFIG_DIR.mkdir(exist_ok=True)
        content = workdir / "wp-content"
        for sub in ("uploads", "plugins", "themes"):
            (content / sub).mkdir(parents=True, exist_ok=True)
        self.config.write_text(f"""<?php
define('DB_NAME', '{self.database}');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '127.0.0.1:3306');
define('WP_CONTENT_DIR', '{content}');
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HOME', '{self.url}');
define('WP_SITEURL', '{self.url}');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
""")
        self.start()
        self._install()

    def start(self) -> None:
        log = (self.workdir / "php.log").open("a")
        self.process = subprocess.Popen(["php", "-S", f"{HOST}:{self.port}", "-t", str(ROOT)], stdout=log,
                                        stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("php -S did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def _install(self) -> None:
        form = urllib.parse.urlencode({
            "weblog_title": "Newsroom WordPress", "user_name": ADMIN, "admin_password": "admin-pass-1234",
            "admin_password2": "admin-pass-1234", "pw_weak": "1", "admin_email": "admin@example.org",
            "blog_public": "0", "language": ""}).encode()
        with urllib.request.urlopen(f"{self.url}/wp-admin/install.php?step=2", form, timeout=120) as answer:
            page = answer.read().decode(errors="replace")
        assert "Success" in page or "already installed" in page, page[:2000]

    def php(self, code: str) -> str:
        """Run PHP with WordPress loaded (as for this host); its output."""
        script = self.workdir / "run.php"
        script.write_text("<?php\n$_SERVER['HTTP_HOST'] = '" + HOST + "';\n"
                          f"require '{ROOT}/wp-load.php';\nrequire_once ABSPATH . 'wp-admin/includes/user.php';\n"
                          + code)
        done = subprocess.run(["php", str(script)], capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout.strip()

    def application_password(self, login: str = ADMIN, role: str = "administrator") -> str:
        """A user with `role` (made if missing) and a new Application Password for them."""
        return self.php(f"""
$user = get_user_by('login', '{login}');
if (!$user) {{ $id = wp_create_user('{login}', wp_generate_password(), '{login}@example.org');
  $user = get_user_by('id', $id); $user->set_role('{role}'); }}
$made = WP_Application_Passwords::create_new_application_password($user->ID, array('name' => 'tarjama'));
echo $made[0];
""")

    def get(self, route: str, auth: tuple[str, str] | None = None):
        """GET a REST route (no pretty permalinks under php -S: ?rest_route=), as JSON."""
        separator = "&" if "?" in route else "?"
        path, _, query = route.partition("?")
        url = f"{self.url}/?rest_route={urllib.parse.quote(path)}" + (f"&{query}" if query else "")
        del separator
        request = urllib.request.Request(url)
        if auth:
            import base64

            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return {"status": exc.code, **json.loads(exc.read() or b"{}")}

    def close(self) -> None:
        self.stop()
        self.config.unlink(missing_ok=True)
        _mysql(f"DROP DATABASE IF EXISTS {self.database}")
