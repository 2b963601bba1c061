"""The deployment files in deploy/: the systemd template and the container file.

The unit starts the same `streamlit run` as `make serve` (scripts/serve.py); systemd accepts it
(``systemd-analyze verify``, when installed); every file the Containerfile copies exists and is
not excluded from the build context; the image builds when a container engine is installed.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import ROOT

UNIT = ROOT / "deploy" / "borgercases@.service"
ENV_EXAMPLE = ROOT / "deploy" / "borgercases.env.example"
CONTAINERFILE = ROOT / "deploy" / "Containerfile"
IGNORE_FILES = (ROOT / ".containerignore", ROOT / ".dockerignore")
INSTALLED_PYTHON = "/opt/borgercases/.venv/bin/python"


def _unit() -> dict[str, list[str]]:
    """The unit's settings (continuation lines joined), each key with its values in order."""
    text = re.sub(r"\\\n\s*", " ", UNIT.read_text(encoding="utf-8"))
    settings: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def _serve_command(port: int, hosts: tuple[str, ...]) -> list[str]:
    sys.path.insert(0, str(ROOT / "scripts"))
    import serve

    ((cmd, _env),) = serve.plan(1, port, {}, hosts)
    return list(cmd)


def test_the_unit_runs_what_make_serve_runs() -> None:
    (exec_start,) = _unit()["ExecStart"]
    unit_cmd = [
        {"%i": "8502", "${ALLOWED_HOSTS}": "borgercases.kommune.dk"}.get(a, a)
        for a in shlex.split(exec_start)
    ]
    serve_cmd = _serve_command(8502, ("borgercases.kommune.dk",))
    assert serve_cmd[0] == sys.executable
    assert unit_cmd == [INSTALLED_PYTHON, *serve_cmd[1:]]


def test_the_unit_is_unprivileged_hardened_and_restarts_on_failure() -> None:
    unit = _unit()
    assert unit["User"] == ["borgercases"] and unit["Group"] == ["borgercases"]
    assert unit["EnvironmentFile"] == ["/etc/borgercases/borgercases.env"]
    assert unit["Restart"] == ["on-failure"]
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert unit.get(key) == [value], (key, unit.get(key))
    # Every variable the unit reads is in the example environment file, with the shared
    # cookie secret and the database.
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    names = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    used = set(re.findall(r"\$\{([A-Z_]+)\}", unit["ExecStart"][0]))
    assert used <= names, used - names
    assert {"DATABASE_URL", "STREAMLIT_SERVER_COOKIE_SECRET", "BORGERCASES_SITE_URL"} <= names


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze findes ikke her / systemd-analyze is not installed")
    # The install folder as it is here: systemd checks that the program exists.
    text = UNIT.read_text(encoding="utf-8")
    text = text.replace(INSTALLED_PYTHON, sys.executable).replace("/opt/borgercases", str(ROOT))
    (tmp_path / UNIT.name).write_text(text, encoding="utf-8")
    instance = tmp_path / "borgercases@8501.service"
    result = subprocess.run(
        [analyze, "verify", str(instance)], capture_output=True, text=True, timeout=60
    )
    complaints = [
        line for line in (result.stdout + result.stderr).splitlines() if "borgercases@" in line
    ]
    assert result.returncode == 0 and complaints == [], result.stdout + result.stderr


def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n\s*", " ", CONTAINERFILE.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _ignored() -> list[str]:
    lines = IGNORE_FILES[0].read_text(encoding="utf-8").splitlines()
    return [x.strip() for x in lines if x.strip() and not x.startswith("#")]


def test_every_copy_source_exists_and_is_in_the_build_context() -> None:
    ignored = _ignored()
    copies = [rest for word, rest in _instructions() if word == "COPY"]
    assert copies
    for rest in copies:
        args = [a for a in shlex.split(rest) if not a.startswith("--")]
        *sources, _dest = args
        for source in sources:
            path = ROOT / source
            assert path.exists(), f"COPY {source}: findes ikke"
            top = source.strip("/").split("/")[0]
            assert top not in ignored and source.rstrip("/") not in ignored, source


def test_the_image_runs_the_app_headless_as_non_root_with_a_health_check() -> None:
    instructions = _instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [rest for word, rest in instructions if word == "USER"]
    assert users and users[-1] not in ("root", "0"), users
    (health,) = [rest for word, rest in instructions if word == "HEALTHCHECK"]
    assert "/_stcore/health" in health
    (cmd,) = [rest for word, rest in instructions if word == "CMD"]
    args = [a.strip().strip('"') for a in cmd.strip("[]").split(",")]
    assert args[:5] == ["python", "-m", "streamlit", "run", "app.py"]
    for option, value in {
        "--server.port": "8501",
        "--server.address": "0.0.0.0",
        "--server.headless": "true",
    }.items():
        assert args[args.index(option) + 1] == value
    # The lock pins the runtime dependencies.
    runs = " ".join(rest for word, rest in instructions if word == "RUN")
    assert "--constraint requirements.lock" in runs
    for ignore in IGNORE_FILES:
        names = set(ignore.read_text(encoding="utf-8").split())
        assert {".venv", "data", "site", "node_modules", ".git"} <= names, ignore


def _engine() -> list[str] | None:
    """A container engine that can build here (installed and, for docker, its daemon up)."""
    for name, probe in (("podman", "info"), ("buildah", "info"), ("docker", "info")):
        found = shutil.which(name)
        if found is None:
            continue
        ok = subprocess.run([found, probe], capture_output=True, timeout=60).returncode == 0
        if ok:
            return [found, "bud"] if name == "buildah" else [found, "build"]
    return None


@pytest.mark.slow
def test_the_container_image_builds() -> None:
    engine = _engine()
    if engine is None:
        pytest.skip(
            "Ingen containermotor (podman, buildah eller docker med kørende daemon) her / "
            "no working container engine installed"
        )
    result = subprocess.run(
        [*engine, "-f", str(CONTAINERFILE), "-t", "borgercases-test", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
