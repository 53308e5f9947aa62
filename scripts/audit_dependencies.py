"""`make security`'s dependency audit: pip-audit against the first advisory source that answers.

pip-audit alone cannot fail where its source is out of reach. Its PyPI service asks
https://pypi.org/pypi/<name>/<version>/json for each installed package; where that answers 404
(a mirror or proxy serving only the simple index, as on the development machine) every package is
skipped as "not found on PyPI", and pip-audit still prints "No known vulnerabilities found" and
exits 0. Its OSV service, where api.osv.dev cannot be resolved, raises and exits 1, which is no
better: a red build that says nothing about our packages.

So each source is tried in turn (PyPI, then OSV) and its JSON report is read:
  * a source that checked every installed package decides: vulnerabilities fail (exit 1), none pass;
  * a source that checked some packages but not others fails: a partial audit is not a pass;
  * a source that checked nothing, or could not be reached, gives way to the next;
  * when none answers: "SKIPPED: no advisory source reachable" and exit 0 (CI stays green and says
    why), or exit 1 when AUDIT_REQUIRED=1 (a CI that has network access and must audit).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
SOURCES = {"pypi": "PyPI (pypi.org JSON API)", "osv": "OSV (api.osv.dev)"}
# How pip-audit ends when its service cannot be reached (requests' exceptions, its ServiceError).
# Anything else it stops on (a bad option, a crash) is a failure, never a skip.
UNREACHABLE = re.compile(r"ConnectionError|Timeout|SSLError|ProxyError|NameResolutionError|ServiceError")


@dataclass
class Report:
    source: str
    checked: list[dict] = field(default_factory=list)
    unchecked: list[dict] = field(default_factory=list)
    error: str = ""

    @property
    def vulnerable(self) -> list[dict]:
        return [dependency for dependency in self.checked if dependency.get("vulns")]


def own_distribution() -> str:
    """The project itself is installed (pip install .) but is on no index: never "unchecked"."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"].lower()


def run_pip_audit(source: str) -> Report:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "audit.json"
        result = subprocess.run(  # noqa: S603 - a fixed command: our venv's pip-audit and constant options
            [
                str(PIP_AUDIT),
                "--progress-spinner",
                "off",
                "--skip-editable",
                "-s",
                source,
                "--format",
                "json",
                "--output",
                str(output),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if not output.exists():  # it stopped before writing a report
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            last = lines[-1] if lines else f"pip-audit exited {result.returncode} without a word"
            if not UNREACHABLE.search(last):
                raise SystemExit(f"FAILED: pip-audit stopped ({SOURCES[source]}): {last[:500]}")
            return Report(source, error=last[:300])
        try:
            dependencies = json.loads(output.read_text())["dependencies"]
        except (ValueError, KeyError) as error:
            raise SystemExit(f"FAILED: pip-audit wrote a report this script cannot read ({error!r})") from None
    report = Report(source)
    for dependency in dependencies:
        if dependency.get("name", "").lower() == own_distribution():
            continue
        (report.unchecked if "skip_reason" in dependency else report.checked).append(dependency)
    if not report.checked:
        reasons = {d["skip_reason"].split(":")[0] for d in report.unchecked} or {"no package reported"}
        report.error = f"checked none of {len(report.unchecked)} packages ({'; '.join(sorted(reasons))})"
    return report


def main() -> int:
    tried = []
    for source in SOURCES:
        report = run_pip_audit(source)
        if report.error:
            tried.append(report)
            continue
        name = SOURCES[source]
        if report.vulnerable:
            print(f"FAILED: known vulnerabilities ({name}):")
            for dependency in report.vulnerable:
                for vuln in dependency["vulns"]:
                    fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
                    print(f"  {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
            return 1
        if report.unchecked:
            print(f"FAILED: {name} could check only {len(report.checked)} of the installed packages; not checked:")
            for dependency in report.unchecked:
                print(f"  {dependency['skip_reason']}")
            return 1
        print(f"pip-audit: {len(report.checked)} packages checked against {name}, no known vulnerabilities.")
        return 0
    print("SKIPPED: no advisory source reachable")
    for report in tried:
        print(f"  {SOURCES[report.source]}: {report.error}")
    if os.environ.get("AUDIT_REQUIRED") == "1":
        print("AUDIT_REQUIRED=1: a dependency audit that did not run is a failure here.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
