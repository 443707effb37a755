"""The monitoring wiring loads in the tools' own formats and names only metrics we export."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.telemetry.events import RunEvent
from app.telemetry.metrics import PlaygroundMetrics, PoolSnapshot

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "playground.json"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool missing (scripts/dev.sh test installs Debian's prometheus)"
)


def exported_series() -> set[str]:
    """Every series name our registry can expose (counters' _total, histograms' _bucket …)."""
    metrics = PlaygroundMetrics("test", lambda: PoolSnapshot(worker_pids=[], zygote_pid=None))
    metrics.observe_request("/x", "GET", 200, 0.1)
    metrics.observe_replacement("crash")
    metrics.observe_run(RunEvent(kind="run", outcome="ok", result_bytes=10))
    names = set()
    for family in metrics.registry.collect():
        names.update(sample.name for sample in family.samples)
        names.add(family.name)
    return names


def dashboard_expressions() -> list[str]:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def metric_names_in(expression: str) -> set[str]:
    return set(re.findall(r"\b(playground_[a-z_]+)", expression))


def test_dashboard_has_the_graphs_a_lab_needs() -> None:
    titles = {panel["title"] for panel in json.loads(DASHBOARD.read_text())["panels"]}
    for wanted in ("Runs per second", "Queue depth", "p50 / p95", "Workers", "Memory"):
        assert any(wanted in title for title in titles), wanted


def test_every_expression_names_only_exported_metrics() -> None:
    exported = exported_series()
    expressions = dashboard_expressions() + [rule["expr"] for rule in alert_rules()]
    assert len(expressions) >= 12
    for expression in expressions:
        unknown = metric_names_in(expression) - exported
        assert not unknown, f"{expression!r} names {unknown}, which /metrics never exports"


def test_the_alerts_a_lab_needs_are_there() -> None:
    names = {rule["alert"] for rule in alert_rules()}
    assert {"PlaygroundTurningRunsAway", "PlaygroundWorkersReplacingFast"} <= names
    assert "PlaygroundNoIdleWorker" in names


@needs_promtool
def test_alert_rules_pass_promtool(tmp_path: Path) -> None:
    checked = subprocess.run(
        [str(PROMTOOL), "check", "rules", str(MONITORING / "alerts.yml")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_promtool
def test_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    # promtool has no query checker: each query becomes a recording rule, which it parses.
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:query_{i}", "expr": expression}
                    for i, expression in enumerate(dashboard_expressions())
                ],
            }
        ]
    }
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump(rules))
    checked = subprocess.run(
        [str(PROMTOOL), "check", "rules", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_promtool
def test_prometheus_config_passes_promtool(tmp_path: Path) -> None:
    # The config names the rules file by its path inside the container: check a copy beside it.
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    config["rule_files"] = [str(MONITORING / "alerts.yml")]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    checked = subprocess.run(
        [str(PROMTOOL), "check", "config", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_compose_monitoring_profile_and_k8s_scrape_wiring() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    for service in ("prometheus", "grafana"):
        assert compose["services"][service]["profiles"] == ["monitoring"]
        for volume in compose["services"][service]["volumes"]:
            assert (ROOT / "deploy" / volume.split(":")[0]).exists(), volume
    assert "profiles" not in compose["services"]["app"]
    deployment = yaml.safe_load((ROOT / "deploy" / "k8s" / "deployment.yaml").read_text())
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    monitor = yaml.safe_load(
        (ROOT / "deploy" / "k8s" / "monitoring" / "servicemonitor.yaml").read_text()
    )
    assert monitor["kind"] == "ServiceMonitor"
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "location = /metrics" in nginx and "X-Request-ID" in nginx
