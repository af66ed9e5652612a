"""What scripts/check-deploy checks in the Kubernetes manifests beyond their schema.

Each rule is one an operator would otherwise learn from a failed rollout: the server refusing a
variable, a probe on the wrong route, an image that floats, an autoscaler aimed at nothing.
Run by scripts/check-deploy with the venv's PyYAML; exits 1 naming every broken rule.
"""
import argparse
import os
import re
import subprocess
import sys

import yaml

# Variables the server reads that are not configuration keys.
SPECIAL_VARIABLES = {"ADAPTCLIP_ADMIN_TOKEN", "ADAPTCLIP_CONFIG"}
# Stand-ins for values the cluster provides (Secrets, the downward API), to run the server's
# own configuration check on a manifest's environment.
FIELD_STAND_IN = "2"
SECRET_STAND_IN = "stand-in-secret"
# A Secret holding a URL must still parse as one: the server checks its form at start.
URL_SECRET_STAND_IN = "postgres://adaptclip:stand-in-secret@postgres:5432/adaptclip?sslmode=disable"


def documents(paths):
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for document in yaml.safe_load_all(handle):
                if document:
                    yield path, document


def pod_spec(document):
    kind = document.get("kind")
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return document["spec"]["template"]["spec"]
    return None


def known_variables(binary):
    """The environment name of every key, from what `serve --print-config` lists."""
    out = subprocess.run([binary, "serve", "--print-config"], check=True, capture_output=True, text=True,
                         env=clean_environment()).stdout
    keys = [line.split(" = ", 1)[0] for line in out.splitlines() if " = " in line]
    return {"ADAPTCLIP_" + key.upper().replace(".", "_") for key in keys if key != "admin_token"}


def clean_environment():
    return {k: v for k, v in os.environ.items() if not k.startswith("ADAPTCLIP_")}


def service_version():
    text = open("Sources/Service/ServiceInfo.swift", encoding="utf-8").read()
    return re.search(r'version = "([^"]+)"', text).group(1)


def check(paths, binary):
    problems = []
    known = known_variables(binary)
    version = service_version()

    by_kind = {}
    for path, document in documents(paths):
        name = f"{path}: {document['kind']}/{document['metadata']['name']}"
        by_kind.setdefault(document["kind"], []).append((path, document))
        spec = pod_spec(document)
        if spec is None:
            continue
        # The server would ignore the kubelet's service variables, but nothing needs them.
        if spec.get("enableServiceLinks") is not False:
            problems.append(f"{name}: enableServiceLinks is not false")
        for container in spec.get("initContainers", []) + spec["containers"]:
            where = f"{name} container {container['name']}"
            image = container["image"]
            reference = image.rsplit("/", 1)[-1]
            if "@sha256:" not in image:
                if ":" not in reference or reference.endswith(":latest"):
                    problems.append(f"{where}: image {image} is not pinned (a version tag or a digest)")
                elif reference.startswith("adaptclip:") and reference != f"adaptclip:{version}":
                    problems.append(f"{where}: image {image} is not this release ({version})")
            if "limits" not in container.get("resources", {}) or "memory" not in container["resources"]["limits"]:
                problems.append(f"{where}: no memory limit")
            if "memory" not in container.get("resources", {}).get("requests", {}):
                problems.append(f"{where}: no memory request")
            variables = [variable["name"] for variable in container.get("env", [])]
            if reference.startswith("adaptclip"):
                for variable in variables:
                    if variable.startswith("ADAPTCLIP_") and variable not in known | SPECIAL_VARIABLES:
                        problems.append(f"{where}: {variable} is no configuration key the server knows")
            if reference.startswith("adaptclip") and container.get("args", [None])[0] == "serve":
                problems += probes(container, where)
                problems += starts(container, where, binary)

    problems += targets(by_kind)
    return problems


def probes(container, where):
    problems = []
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        got = container.get(probe, {}).get("httpGet", {}).get("path")
        if got != path:
            problems.append(f"{where}: {probe} is on {got}, not {path}")
    return problems


def starts(container, where, binary):
    """The server's own check of the container's environment: --print-config exits 0."""
    environment = clean_environment()
    for variable in container.get("env", []):
        if "value" in variable:
            environment[variable["name"]] = variable["value"]
        elif "secretKeyRef" in variable.get("valueFrom", {}):
            environment[variable["name"]] = URL_SECRET_STAND_IN if variable["name"].endswith("_URL") else SECRET_STAND_IN
        else:
            environment[variable["name"]] = FIELD_STAND_IN
    result = subprocess.run([binary] + container["args"] + ["--print-config"], capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        return [f"{where}: the server refuses its environment: {(result.stderr.strip().splitlines() or ['?'])[0]}"]
    return []


def labels_match(selector, labels):
    return all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items())


def targets(by_kind):
    """Autoscalers, budgets and Services aim at workloads of the same file."""
    problems = []
    workloads = [(path, d) for kind in ("Deployment", "StatefulSet") for path, d in by_kind.get(kind, [])]
    for path, hpa in by_kind.get("HorizontalPodAutoscaler", []):
        target = hpa["spec"]["scaleTargetRef"]
        if not any(p == path and d["kind"] == target["kind"] and d["metadata"]["name"] == target["name"] for p, d in workloads):
            problems.append(f"{path}: HorizontalPodAutoscaler/{hpa['metadata']['name']} aims at no {target['kind']}/{target['name']}")
        if hpa["spec"].get("minReplicas", 1) < 2:
            problems.append(f"{path}: HorizontalPodAutoscaler/{hpa['metadata']['name']} may scale to one replica")
    for kind, selector_of in (("PodDisruptionBudget", lambda d: d["spec"]["selector"]),
                              ("Service", lambda d: {"matchLabels": d["spec"]["selector"]})):
        for path, document in by_kind.get(kind, []):
            selector = selector_of(document)
            if not any(p == path and labels_match(selector, d["spec"]["template"]["metadata"]["labels"]) for p, d in workloads):
                problems.append(f"{path}: {kind}/{document['metadata']['name']} selects no pods of its file")
    # One process owns an embedded store's data directory: its Deployment must never run two.
    for path, document in by_kind.get("Deployment", []):
        variables = {v["name"]: v.get("value") for c in document["spec"]["template"]["spec"]["containers"] for v in c.get("env", [])}
        if variables.get("ADAPTCLIP_STORE_BACKEND", "sqlite") == "sqlite":
            if document["spec"].get("replicas") != 1 or document["spec"].get("strategy", {}).get("type") != "Recreate":
                problems.append(f"{path}: Deployment/{document['metadata']['name']} has the embedded store: 1 replica, Recreate")
            if any(p == path for p, _ in by_kind.get("HorizontalPodAutoscaler", [])):
                problems.append(f"{path}: an autoscaler on the embedded store would start a second owner of its data")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True)
    parser.add_argument("manifests", nargs="+")
    args = parser.parse_args()
    problems = check(args.manifests, args.bin)
    for problem in problems:
        print(f"check-deploy: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{len(args.manifests)} manifests: service links off, probes, pinned images, known variables, targets")


if __name__ == "__main__":
    main()
