"""deploy/ is generated from scale/topology.py, the list `make scale-test` starts: the files a
newcomer deploys must be the ones that were proven under load and faults (issue 15)."""

import subprocess
import sys
from pathlib import Path

import yaml

from scale.render import files
from scale.topology import PROCESSES, SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def test_deploy_files_are_what_the_topology_gives():
    done = subprocess.run(
        [sys.executable, "-m", "scale.render", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_runs_every_process_with_the_same_settings():
    compose = yaml.safe_load(files()["docker-compose.yml"])
    services = compose["services"]
    for process in PROCESSES:
        names = [n for n in services if n == process.name or n.startswith(f"{process.name}-")]
        names = [n for n in names if n.removeprefix(f"{process.name}-").isdigit() or n == process.name]
        assert len(names) == process.test_instances, (process.name, names)
        for name in names:
            # The settings of the test, plus the certificate Docker users make (deploy/tls/).
            assert set(services[name]["environment"]) == {*SETTINGS, "AWS_CA_BUNDLE"}, name
            command = services[name]["command"]
            assert command[: 2 if process.manage else 3] == (
                ["python", "manage.py"] if process.manage else ["python", "-m", process.arguments[0]]
            )
    for engine in ("postgres", "redis", "objectstore", "nginx"):
        assert engine in services


def test_systemd_units_start_what_the_test_starts():
    units = {name: text for name, text in files().items() if name.startswith("systemd/")}
    for process in PROCESSES:
        unit = next(text for name, text in units.items() if f"studymarket-{process.name}" in name)
        exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
        arguments = " ".join(a for a in process.arguments if a not in ("{port}", "*"))
        for argument in arguments.split():
            assert argument in exec_start, (process.name, argument, exec_start)
        assert "EnvironmentFile=/etc/studymarket/env" in unit
    example = files()["studymarket.env.example"]
    assert {
        line.split("=", 1)[0] for line in example.splitlines() if "=" in line and not line.startswith("#")
    } == set(SETTINGS)
