"""bench/run [--quick] [--only p1,p2,p3,p4,p5] [--out DIR] [--report-only]

Runs the measures of issue #7 on the local fleet (after `make demo`) and writes results.json,
REPORT.md and the plots. The full run writes bench/results/; --quick (small sizes, one short
upgrade, no cold converge) writes to $TMPDIR/djstack-bench-quick unless --out is given.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import p1_upgrade, p2_layers, p3_async, p4_import, p5_ansible, report
from .common import BENCH, DB1, LB1, REPO, WEB1, docker, log, machine

FULL = {
    "p1_connections": 16,
    "p1_slice_s": 2,
    "p1_steady_s": 30,
    "p1_no_drain": True,
    "p2_connections": 16,
    "p2_seconds": 15,
    "p2_rounds": 3,
    "p2_direct_workers": 10,
    "p3_workers": 3,
    "p3_clients": 200,
    "p3_seconds": 20,
    "p3_sweep": [1, 10, 50, 100, 200, 300, 400],
    "p3_sweep_seconds": 10,
    "p4_rows": 1_000_000,
    "p4_files": 20,
    "p4_orm_sample": 5000,
    "p5_cold": True,
    "p5_playbook": "site.yml",
}
QUICK = FULL | {
    "p1_connections": 8,
    "p1_steady_s": 6,
    "p1_no_drain": False,
    "p2_connections": 8,
    "p2_seconds": 3,
    "p2_rounds": 1,
    "p3_seconds": 5,
    "p3_sweep": [1, 200],
    "p3_sweep_seconds": 3,
    "p4_rows": 20_000,
    "p4_files": 4,
    "p4_orm_sample": 300,
    "p5_cold": False,
    "p5_playbook": "playbooks/loadbalancer.yml",
}
ORDER = ["p5", "p1", "p2", "p3", "p4"]  # p5 first: its cold converge replaces the fleet


def fleet_versions() -> dict:
    def sh(host, command):
        result = docker("exec", host, "sh", "-c", command, check=False)
        return (result.stdout + result.stderr).strip().splitlines()[0:1] or ["?"]

    py = (
        '/srv/recruitment/current/venv/bin/python -c "import sys, django, gunicorn, uvicorn, '
        "recruitment; print('Python', sys.version.split()[0], '/ Django', django.__version__, "
        "'/ gunicorn', gunicorn.__version__, '/ uvicorn', uvicorn.__version__, "
        "'/ recruitment', recruitment.__version__)\""
    )
    return {
        "debian": sh(WEB1, "cat /etc/debian_version")[0],
        "app": sh(WEB1, py)[0],
        "nginx": sh(LB1, "nginx -v 2>&1")[0],
        "mariadb": sh(DB1, "mariadbd --version")[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--only", default="", help="comma-separated subset of p1..p5")
    parser.add_argument("--out", type=Path, help="output folder")
    parser.add_argument("--report-only", action="store_true", help="rewrite REPORT.md and plots")
    parser.add_argument("--note", action="append", default=[], help="a line for the report")
    args = parser.parse_args()
    default_out = (
        Path(tempfile.gettempdir()) / "djstack-bench-quick" if args.quick else BENCH / "results"
    )
    out_dir = (args.out or default_out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / "results.json"
    if args.report_only:
        log(f"wrote {report.write(json.loads(results_path.read_text()), out_dir)}")
        return 0

    cfg = (QUICK if args.quick else FULL) | {"quick": args.quick}
    # A partial run (--only) updates the measures it ran in an existing results.json.
    previous = json.loads(results_path.read_text()) if args.only and results_path.exists() else {}
    wanted = [m for m in ORDER if not args.only or m in args.only.split(",")]
    started = time.monotonic()
    git = ["git", "-C", str(REPO)]
    results: dict = {
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        or os.environ.get("BENCH_COMMIT", "unknown"),
        "dirty": bool(
            subprocess.run(
                [*git, "status", "--porcelain"], capture_output=True, text=True
            ).stdout.strip()
        ),
        "machine": machine(),
        "config": cfg,
        "measures": wanted,
        "notes": args.note,
    }
    log(f"measures {', '.join(wanted)}; results in {out_dir}")
    with tempfile.TemporaryDirectory(prefix="djstack-bench-") as tmp:
        workdir = Path(tmp)
        try:
            steps = {
                "p5": lambda: p5_ansible.measure(cfg),
                "p1": lambda: p1_upgrade.measure(cfg, workdir, started),
                "p2": lambda: p2_layers.measure(cfg),
                "p3": lambda: p3_async.measure(cfg),
                "p4": lambda: p4_import.measure(cfg, workdir),
            }
            for name in wanted:
                if name != "p5" and "fleet" not in results:
                    results["fleet"] = fleet_versions()
                try:
                    results[name] = steps[name]()
                except Exception as exc:  # noqa: BLE001 - recorded; the other measures go on
                    log(f"{name} FAILED: {exc}")
                    results.setdefault("errors", {})[name] = str(exc)[-3000:]
        finally:
            if "p1" in wanted or "p3" in wanted:
                results["restore"] = p3_async.restore()
            results["seconds"] = time.monotonic() - started
            if previous:
                kept = {k: previous[k] for k in ORDER if k in previous and k not in results}
                errors = {k: v for k, v in previous.get("errors", {}).items() if k not in wanted}
                errors |= results.get("errors", {})
                notes = previous.get("notes", []) + results["notes"]
                results = previous | results | kept
                results["notes"] = notes
                results.pop("errors", None)
                if errors:
                    results["errors"] = errors
                results["measures"] = [m for m in ORDER if m in results]
                results["seconds"] = previous.get("seconds", 0) + results["seconds"]
            results_path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    path = report.write(results, out_dir)
    log(f"done in {results['seconds'] / 60:.1f} min: {path}")
    return 1 if results.get("errors") else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
