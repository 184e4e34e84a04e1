"""Prometheus on cl-mon1 scrapes every exporter and the app, with the alert rules loaded; the
metrics ports answer the monitoring host only (the firewall tests check the others)."""

import json
import time

from cluster import host

# node on every host, mysqld on the database, nginx on the LB and web hosts, the app on the web
# hosts, and Prometheus itself.
EXPECTED_TARGETS = {"node": 5, "mysqld": 1, "nginx": 3, "django": 2, "prometheus": 1}
RULES = {"InstanceDown", "DatabaseDown", "HighErrorRatio", "DiskNearlyFull", "BackupTooOld",
         "BackupMissing"}  # fmt: skip


def api(path):
    out = host("cl-mon1").check_output(f"curl -sf 'http://10.79.0.14:9090/api/v1/{path}'")
    return json.loads(out)["data"]


def test_every_target_is_up():
    # A scrape every 15 s: give each target a few rounds after the converge and the restarts.
    for _ in range(40):
        targets = api("targets")["activeTargets"]
        down = [(t["labels"]["job"], t["scrapeUrl"], t["lastError"]) for t in targets
                if t["health"] != "up"]  # fmt: skip
        if not down:
            break
        time.sleep(3)
    jobs = {}
    for target in targets:
        jobs[target["labels"]["job"]] = jobs.get(target["labels"]["job"], 0) + 1
    assert jobs == EXPECTED_TARGETS
    assert not down, down


def test_alert_rules_are_loaded():
    groups = api("rules")["groups"]
    names = {rule["name"] for group in groups for rule in group["rules"]}
    assert names == RULES
    assert all(rule["health"] == "ok" for group in groups for rule in group["rules"])


def test_the_apps_metrics_reach_prometheus():
    result = api("query?query=sum(django_http_requests_before_middlewares_total)")["result"]
    assert result and float(result[0]["value"][1]) > 0, result
    mysql = api("query?query=mysql_up")["result"]
    assert [r["value"][1] for r in mysql] == ["1"], mysql
