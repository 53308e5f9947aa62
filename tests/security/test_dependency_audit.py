"""`make security`'s dependency audit cannot pass without checking (scripts/audit_dependencies.py).

pip-audit is replaced by a fake that answers as the real one does in each situation: every package
"not found on PyPI" (a mirror without the per-version JSON API), OSV unreachable, a vulnerability,
a partial answer, a bad option.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"
NOT_FOUND = "Dependency not found on PyPI and could not be audited: {name} ({version})"
OSV_DOWN = (
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443): Max retries "
    "exceeded with url: /v1/query (Caused by NameResolutionError(...))"
)
PACKAGES = [("django", "5.2.20"), ("celery", "5.7.0"), ("sportello", "0.1.0")]


@pytest.fixture
def audit(monkeypatch):
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def fake_pip_audit(monkeypatch, audit, answers: dict):
    """answers[source]: a list of dependencies for the JSON report, or a str: the last line of stderr."""

    def run(command, **kwargs):
        source = command[command.index("-s") + 1]
        answer = answers[source]
        if isinstance(answer, str):
            return subprocess.CompletedProcess(command, 1 if "error" in answer else 2, "", f"Traceback\n{answer}\n")
        Path(command[command.index("--output") + 1]).write_text(json.dumps({"dependencies": answer, "fixes": []}))
        vulnerable = any(dependency.get("vulns") for dependency in answer)
        return subprocess.CompletedProcess(command, int(vulnerable), "", "No known vulnerabilities found\n")

    monkeypatch.setattr(audit.subprocess, "run", run)


def checked(vulns_of: dict | None = None) -> list[dict]:
    vulns_of = vulns_of or {}
    return [{"name": name, "version": version, "vulns": vulns_of.get(name, [])} for name, version in PACKAGES]


def skipped() -> list[dict]:
    return [{"name": name, "skip_reason": NOT_FOUND.format(name=name, version=version)} for name, version in PACKAGES]


def test_no_source_answering_is_skipped_and_never_called_a_pass(monkeypatch, audit, capsys):
    fake_pip_audit(monkeypatch, audit, {"pypi": skipped(), "osv": OSV_DOWN})
    monkeypatch.delenv("AUDIT_REQUIRED", raising=False)
    assert audit.main() == 0
    out = capsys.readouterr().out
    assert out.startswith("SKIPPED: no advisory source reachable\n")
    assert "checked none of 2 packages" in out and "api.osv.dev" in out
    assert "no known vulnerabilities" not in out.lower() and "passed" not in out.lower()


def test_a_ci_that_must_audit_fails_when_nothing_answers(monkeypatch, audit, capsys):
    fake_pip_audit(monkeypatch, audit, {"pypi": skipped(), "osv": OSV_DOWN})
    monkeypatch.setenv("AUDIT_REQUIRED", "1")
    assert audit.main() == 1
    assert "SKIPPED: no advisory source reachable" in capsys.readouterr().out


def test_a_known_vulnerability_fails(monkeypatch, audit, capsys):
    vuln = {"id": "PYSEC-2026-1", "fix_versions": ["5.2.21"], "aliases": [], "description": ""}
    fake_pip_audit(monkeypatch, audit, {"pypi": checked({"django": [vuln]}), "osv": OSV_DOWN})
    assert audit.main() == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "django 5.2.20: PYSEC-2026-1 (fixed in 5.2.21)" in out


def test_the_next_source_is_used_when_the_first_knows_nothing(monkeypatch, audit, capsys):
    vuln = {"id": "GHSA-xxxx", "fix_versions": [], "aliases": [], "description": ""}
    fake_pip_audit(monkeypatch, audit, {"pypi": skipped(), "osv": checked({"celery": [vuln]})})
    assert audit.main() == 1
    assert "celery 5.7.0: GHSA-xxxx (fixed in no fixed version yet)" in capsys.readouterr().out


def test_a_partial_audit_is_not_a_pass(monkeypatch, audit, capsys):
    partial = [*checked()[:1], *skipped()[1:]]
    fake_pip_audit(monkeypatch, audit, {"pypi": partial, "osv": OSV_DOWN})
    assert audit.main() == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "celery (5.7.0)" in out
    assert "sportello" not in out  # the project itself is on no index


def test_a_complete_audit_without_findings_says_what_it_checked(monkeypatch, audit, capsys):
    fake_pip_audit(monkeypatch, audit, {"pypi": checked(), "osv": OSV_DOWN})
    assert audit.main() == 0
    assert capsys.readouterr().out == (
        "pip-audit: 2 packages checked against PyPI (pypi.org JSON API), no known vulnerabilities.\n"
    )


def test_pip_audit_stopping_for_another_reason_fails_instead_of_skipping(monkeypatch, audit):
    fake_pip_audit(monkeypatch, audit, {"pypi": "pip-audit: error: unrecognized arguments: -s", "osv": OSV_DOWN})
    with pytest.raises(SystemExit, match="FAILED: pip-audit stopped"):
        audit.main()
