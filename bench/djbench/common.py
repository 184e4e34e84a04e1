"""What every measure shares: wrk runs in a fleet host's network namespace, ansible-playbook runs
timed and parsed, the demo login, and percentiles over wrk's latency histograms."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
LUA = BENCH / "lua"
APP = REPO / "app"
# The fleet measured: make demo's by default. scripts/test points the quick run at the cluster
# scenario's converged hosts instead (no second fleet): their names carry a prefix, lb1's 443 is
# published on another port, and ansible-playbook takes molecule's inventory and the local vault.
HOST_PREFIX = os.environ.get("DJBENCH_HOST_PREFIX", "")
INVENTORY = os.environ.get("DJBENCH_INVENTORY", "")
LB_URL = os.environ.get("DJBENCH_LB_URL", "https://localhost:8443")  # lb1's 443 on the controller
ORIGIN = LB_URL
LB1, WEB1, WEB2, DB1 = (HOST_PREFIX + name for name in ("lb1", "web1", "web2", "db1"))
CA = REPO / ".fleet/ca/ca.crt"
VAULT = REPO / "inventories/local/group_vars/all/vault.yml"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd, *, check=True, env=None, cwd=REPO, capture=True, timeout=None, input=None):
    """Run a command; on failure raise with the end of its output."""
    result = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        text=True,
        capture_output=capture,
        timeout=timeout,
        input=input,
    )
    if check and result.returncode != 0:
        out = ((result.stdout or "") + (result.stderr or ""))[-3000:]
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {result.returncode}:\n{out}")
    return result


def docker(*args, check=True, input=None):
    return run(["docker", *args], check=check, input=input)


def web1_answers(url: str, *headers: str, tries: int = 60) -> bool:
    """Poll url with curl inside web1, once a second, until it answers 200; False after tries."""
    options = [arg for header in headers for arg in ("-H", header)]
    for _ in range(tries):
        code = docker(
            "exec", WEB1, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *options, url,
            check=False,
        ).stdout  # fmt: skip
        if code == "200":
            return True
        time.sleep(1)
    return False


def host_pid(name: str) -> str:
    """The PID of a fleet container's init, whose network namespace wrk enters."""
    return docker("inspect", "-f", "{{.State.Pid}}", name).stdout.strip()


# --- wrk ---------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests: int
    duration_s: float
    connect: int
    read: int
    write: int
    status: int  # non-2xx/3xx answers
    timeout: int
    hist: list[tuple[int, int]] = field(repr=False)  # (latency in us, count)
    started: float = 0.0  # time.monotonic() when the run started
    label: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def ok_rps(self) -> float:
        """Answers that were not failures, per second."""
        return (self.requests - self.failed) / self.duration_s if self.duration_s else 0.0

    @property
    def failed(self) -> int:
        """Failed requests: non-2xx/3xx answers and every socket error."""
        return self.status + self.connect + self.read + self.write + self.timeout

    def percentile_ms(self, p: float) -> float:
        return percentile_ms(self.hist, p)

    def summary(self) -> dict:
        return {
            "requests": self.requests,
            "duration_s": round(self.duration_s, 3),
            "rps": round(self.rps, 2),
            "ok_rps": round(self.ok_rps, 2),
            "failed": self.failed,
            "non_2xx_3xx": self.status,
            "socket_errors": {
                "connect": self.connect,
                "read": self.read,
                "write": self.write,
                "timeout": self.timeout,
            },
            "p50_ms": round(self.percentile_ms(50), 2),
            "p99_ms": round(self.percentile_ms(99), 2),
        }


def percentile_ms(hist, p: float) -> float:
    total = sum(count for _, count in hist)
    if not total:
        return float("nan")
    rank = p / 100 * total
    seen = 0
    for value, count in sorted(hist):
        seen += count
        if seen >= rank:
            return value / 1000
    return sorted(hist)[-1][0] / 1000


def merge(results: list[WrkResult], label: str = "") -> WrkResult:
    """Totals and one latency histogram over several wrk runs (the slices of a phase)."""
    hist: dict[int, int] = {}
    for r in results:
        for value, count in r.hist:
            hist[value] = hist.get(value, 0) + count
    fields = ("requests", "connect", "read", "write", "status", "timeout")
    sums = {name: sum(getattr(r, name) for r in results) for name in fields}
    return WrkResult(
        **sums,
        duration_s=sum(r.duration_s for r in results),
        hist=sorted(hist.items()),
        started=results[0].started if results else 0.0,
        label=label,
    )


def wrk(
    url: str,
    *,
    netns_host: str,
    connections: int,
    duration: float,
    script: str = "get.lua",
    env: dict | None = None,
    threads: int = 2,
    timeout: str = "10s",
    label: str = "",
) -> WrkResult:
    """wrk (Debian's) inside the network namespace of fleet host ``netns_host``.

    Entering the host's namespace reaches its own nginx, or a private address, the way a client
    next to it would, without docker's userland proxy in the path.
    """
    threads = max(1, min(threads, connections))
    cmd = [
        "nsenter",
        "-t",
        host_pid(netns_host),
        "-n",
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        timeout,
        "-s",
        str(LUA / script),
        url,
    ]
    started = time.monotonic()
    result = run(cmd, env={**os.environ, **(env or {})}, timeout=duration + 180)
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{result.stdout[-2000:]}{result.stderr}")
    data = json.loads(line[len("WRKJSON ") :])
    return WrkResult(
        requests=data["requests"],
        duration_s=data["duration_us"] / 1e6,
        connect=data["connect"],
        read=data["read"],
        write=data["write"],
        status=data["status"],
        timeout=data["timeout"],
        hist=[tuple(pair) for pair in data["hist_us"]],
        started=started,
        label=label,
    )


# --- ansible -------------------------------------------------------------------------------------

RECAP_RE = re.compile(
    r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+"
    r"skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)",
    re.M,
)


@dataclass
class PlaybookRun:
    args: list[str]
    seconds: float
    returncode: int
    recap: dict[str, dict[str, int]]
    tasks: int  # TASK banners: tasks started, summed over plays and batches
    output: str = field(repr=False)

    @property
    def changed(self) -> int:
        return sum(h["changed"] for h in self.recap.values())

    @property
    def host_tasks(self) -> int:
        """Task results over every host (ok + changed + skipped + failed)."""
        keys = ("ok", "changed", "skipped", "failed")
        return sum(h[k] for h in self.recap.values() for k in keys)

    def summary(self) -> dict:
        return {
            "command": "ansible-playbook " + " ".join(self.args),
            "seconds": round(self.seconds, 1),
            "changed": self.changed,
            "tasks": self.tasks,
            "host_tasks": self.host_tasks,
            "host_tasks_per_s": round(self.host_tasks / self.seconds, 2) if self.seconds else 0,
        }


def playbook(*args, env: dict | None = None, check=True, timeout=3600) -> PlaybookRun:
    """ansible-playbook from the repository root (ansible.cfg, inventories/local), timed."""
    full_env = {**os.environ, "NO_COLOR": "1", "ANSIBLE_FORCE_COLOR": "0", **(env or {})}
    inventory = ["-i", INVENTORY, "-e", f"@{VAULT}"] if INVENTORY else []
    started = time.monotonic()
    result = subprocess.run(
        ["ansible-playbook", *inventory, *map(str, args)],
        cwd=REPO,
        env=full_env,
        text=True,
        capture_output=True,
        timeout=timeout,
    )
    seconds = time.monotonic() - started
    out = result.stdout + result.stderr
    recap = {
        m.group(1): dict(
            zip(
                ("ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"),
                map(int, m.groups()[1:]),
                strict=True,
            )
        )
        for m in RECAP_RE.finditer(out)
    }
    run_ = PlaybookRun(
        args=[str(a) for a in args],
        seconds=seconds,
        returncode=result.returncode,
        recap=recap,
        tasks=len(re.findall(r"^TASK \[", out, re.M)),
        output=out,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"ansible-playbook {' '.join(map(str, args))} failed:\n{out[-4000:]}")
    return run_


def vault_value(name: str) -> str:
    """A value of the local environment's vault (created by make demo), e.g. the demo password."""
    import yaml

    out = run(["ansible-vault", "view", VAULT]).stdout
    return str(yaml.safe_load(out)[name])


def login(username: str = "demo_applicant") -> tuple[str, str]:
    """Log in through the LB; return (Cookie header, CSRF token) for wrk's logged-in POSTs."""
    context = ssl.create_default_context(cafile=str(CA))
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), urllib.request.HTTPSHandler(context=context)
    )
    opener.open(LB_URL + "/accounts/login/", timeout=30).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {
            "username": username,
            "password": vault_value("vault_demo_password"),
            "csrfmiddlewaretoken": csrf,
        }
    ).encode()
    request = urllib.request.Request(
        LB_URL + "/accounts/login/", data=data, headers={"Referer": LB_URL + "/", "Origin": ORIGIN}
    )
    opener.open(request, timeout=30).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"login as {username} through the LB failed (no session cookie)")
    return "; ".join(f"{k}={v}" for k, v in cookies.items()), cookies["csrftoken"]


def release_copy(workdir: Path, version: str) -> Path:
    """A copy of app/ with another version, for an upgrade to a new release."""
    src = workdir / f"app-{version}"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(APP, src, ignore=shutil.ignore_patterns("build", "*.egg-info", "*.sqlite3"))
    pyproject = src / "pyproject.toml"
    pyproject.write_text(
        re.sub(
            r'^version = ".*"', f'version = "{version}"', pyproject.read_text(), count=1, flags=re.M
        )
    )
    return src


def served_versions() -> dict[str, str]:
    """The release version each web host serves, asked on the host itself."""
    out = {}
    for name in (WEB1, WEB2):
        body = docker(
            "exec", name, "curl", "-s", "-H", "Host: localhost", "http://127.0.0.1/healthz"
        ).stdout
        out[name] = json.loads(body)["version"]
    return out


def machine() -> dict:
    """Cores, memory and versions, for the report's header."""
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())

    def first_line(cmd):
        try:
            return run(cmd, check=False).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    return {
        "cores": os.cpu_count(),
        "cpu": model.group(1).strip() if model else "?",
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": os.uname().release,
        "os": first_line(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "python": sys.version.split()[0],
        "ansible": first_line(["ansible", "--version"]),
        "wrk": first_line(["sh", "-c", "dpkg-query -W -f '${Version}' wrk"]),
        "docker": first_line(["docker", "--version"]),
        "mariadb_client": first_line(["mariadb", "--version"]),
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
    }
