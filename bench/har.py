"""Scan a generated 200 MB HAR end to end (find + verify + inventory + timeline) and compare
with a bare `json.load` of the same file, each in its own process.

Prints `RESULT scan_mb_per_s=… peak_rss_mb=… vs_json_load=…` (`vs_json_load` = the scan's
time ÷ json.load's; `peak_rss_mb` is the scan process's peak). Goals: peak < 150 MB,
vs_json_load < 4. `--mb N` for another size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCAN = """
import json, resource, sys, time
from transmit_admin.core.har import analyze_har
from transmit_admin.core.verify import VerifyPolicy, inspect_token
from tests.core.jwt_factory import tenant_keys
keys = tenant_keys()
verify = lambda token: inspect_token(token, keys, VerifyPolicy())
start = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    analysis = analyze_har(f, verify=verify)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak, "entries": analysis.entries,
                  "secrets": len(analysis.inventory)}))
"""
LOAD = """
import json, resource, sys, time
start = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    data = json.load(f)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak}))
"""


def _child(code: str, path: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=200.0)
    args = parser.parse_args()
    from tests.core.har.generate import write_large_har

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.har"
        started = time.perf_counter()
        entries = write_large_har(path, int(args.mb * 1024 * 1024))
        size_mb = path.stat().st_size / (1024 * 1024)
        took = time.perf_counter() - started
        print(f"generated {size_mb:.0f} MB, {entries} entries in {took:.1f} s")
        scan = _child(SCAN, path)
        load = _child(LOAD, path)
    print(f"scan: {scan}\njson.load: {load}")
    print(
        f"RESULT scan_mb_per_s={size_mb / scan['seconds']:.1f} peak_rss_mb={scan['peak_mb']:.0f} "
        f"vs_json_load={scan['seconds'] / load['seconds']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
