"""Benchmarks that cannot rot: every `make bench*` command runs to the end in its quick mode (tiny sizes) and
prints its table. Nothing here is about speed (times go to docs/benchmarks.md, measured on purpose); a benchmark
that no longer runs, as bench-public once stopped at the numbers check, fails here.

They run at once (each owns its databases, Redis databases and ports), once per `make test`: in the
PostgreSQL pass, which they need; then bench/paired.py on the archive bench/archive.py left.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ["draft.py", "public.py", "memory.py", "quality.py", "load.py", "watch.py", "wire.py", "archive.py"]

pytestmark = pytest.mark.postgres


def test_every_benchmark_runs_to_the_end_and_prints_its_table(tmp_path):
    if shutil.which("wrk") is None:
        pytest.skip("bench/public.py needs wrk: `apt-get install wrk` (.ci/run installs it)")
    running = {}
    for name in BENCHMARKS:
        log = (tmp_path / f"{name}.log").open("w")
        running[name] = (subprocess.Popen([sys.executable, f"bench/{name}", "--quick"], cwd=ROOT, stdout=log,
                                          stderr=subprocess.STDOUT), log)
    failures = []
    for name, (process, log) in running.items():
        try:
            code = process.wait(timeout=600)
        except subprocess.TimeoutExpired:
            process.kill()
            code = "timed out"
        log.close()
        output = (tmp_path / f"{name}.log").read_text(errors="replace")
        table = [line for line in output.splitlines() if line.startswith("|---")]
        if code != 0 or not table:
            failures.append(f"--- bench/{name} --quick: exit {code}, {len(table)} table(s) ---\n{output[-3000:]}")
    # bench/paired.py measures on the archive bench/archive.py seeded: a module at a revision against the current
    if not any("bench/archive.py" in failure for failure in failures):
        other = tmp_path / "search.py"  # the other version: the same source, from a file (no git in a checkout)
        other.write_text((ROOT / "editorial/search.py").read_text())
        paired = subprocess.run([sys.executable, "bench/paired.py", str(other), "editorial.search",
                                 "list,common,api", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=600)
        rows = [line for line in paired.stdout.splitlines() if line.startswith("| ") and " ms |" in line]
        if paired.returncode != 0 or len(rows) != 6:
            failures.append(f"--- bench/paired.py --quick: exit {paired.returncode}, {len(rows)} row(s) ---\n"
                            f"{(paired.stdout + paired.stderr)[-3000:]}")
    assert not failures, "\n".join(failures)
