"""A process that exits anyway (a crash, a bug, a lost broker) comes back by itself in the production stack."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def test_web_worker_and_beat_are_restarted_by_docker_compose():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in ("web", "worker", "beat"):
        assert services[name].get("restart") in ("always", "unless-stopped"), name
