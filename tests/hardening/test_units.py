"""The service files in ``deploy/`` (issue 19): systemd template unit and nginx site.

This machine has no running systemd, so the unit is checked in three honest steps:

1. ``systemd-analyze verify`` on a copy whose only change is the install
   folder (``/opt/mild-explainer`` -> this checkout, so the ``ExecStart``
   binary exists; verify does not look users up), with no warning allowed;
   ``systemd-analyze security --offline`` rates its exposure.
2. The settings a clinic's IT expects are there (unprivileged user, restart on
   failure, resource limits, the journal, hardening).
3. Its ``ExecStart`` line, with its ``Environment=`` and ``%i`` expanded as
   systemd would, run as an unprivileged user (``nobody``) with the state and
   cache folders systemd would create: it serves ``/healthz`` and stops with
   status 0 on the unit's ``KillSignal``.

The nginx site is checked with ``nginx -t``: as shipped, and with the
several-machines upstream block the README shows; its page for "no app
answers" is the apps' own busy page.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from deploy.cluster import NGINX, SITE, free_port, main_config, wait_ok
from tests.hardening.processes import launch  # noqa: F401 (fixture)
from tests.web.browser import REPO
from viz.web.limits import busy_html

UNIT = REPO / "deploy" / "mild-explainer@.service"
INSTALL_DIR = "/opt/mild-explainer"
SYSTEMD_ANALYZE = "/usr/bin/systemd-analyze"
MAX_EXPOSURE = 2.0
"""``systemd-analyze security`` exposure, 0 (locked down) to 10 (fully exposed); below 2 is rated OK."""
STATE_DIR = "/var/lib/mild-explainer"
CACHE_DIR = "/var/cache/mild-explainer"
UNPRIVILEGED = "nobody"
APP_STOP_BUDGET_S = 10.0
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
"""systemd's default ``PATH`` for services."""


def service_settings(text: str) -> dict[str, list[str]]:
    """Every ``Key=value`` of a unit file's ``[Service]`` section, values in order of appearance."""
    settings: dict[str, list[str]] = {}
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def installed_copy(folder: Path, instance: str) -> Path:
    """The unit with this checkout as its install folder, under its instance name in ``folder``."""
    (folder / UNIT.name).write_text(UNIT.read_text().replace(INSTALL_DIR, str(REPO)))
    instance_path = folder / UNIT.name.replace("@.", f"@{instance}.")
    instance_path.symlink_to(UNIT.name)
    return instance_path


@pytest.fixture
def unit_copy(tmp_path):
    if not Path(SYSTEMD_ANALYZE).exists():
        pytest.fail("systemd-analyze is missing (Debian package systemd)")
    return installed_copy(tmp_path, "5006")


def test_only_the_install_folder_differs_in_the_checked_copy(unit_copy):
    original = UNIT.read_text().splitlines()
    copy = (unit_copy.parent / UNIT.name).read_text().splitlines()
    changed = [(a, b) for a, b in zip(original, copy) if a != b]
    assert len(original) == len(copy) and changed
    assert all(a.replace(INSTALL_DIR, str(REPO)) == b for a, b in changed)


def test_unit_passes_systemd_analyze_verify(unit_copy):
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", str(unit_copy)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(), \
        result.stdout + result.stderr


def test_unit_exposure_is_rated_ok(unit_copy):
    result = subprocess.run([SYSTEMD_ANALYZE, "security", "--offline=yes", str(unit_copy)],
                            capture_output=True, text=True)
    exposure = float(re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout)[1])
    assert exposure <= MAX_EXPOSURE, result.stdout


def test_unit_runs_unprivileged_restarts_logs_and_limits():
    settings = service_settings(UNIT.read_text())
    one = {key: values[-1] for key, values in settings.items()}
    assert one["User"] not in ("root", "0") and one["Group"] not in ("root", "0")
    assert one["Restart"] == "on-failure"
    assert one["StandardOutput"] == one["StandardError"] == "journal"
    assert one["KillSignal"] == "SIGTERM" and one["KillMode"] == "mixed"
    assert float(one["TimeoutStopSec"]) > APP_STOP_BUDGET_S, "systemd waits longer than the app needs to stop"
    for limit in ("MemoryMax", "TasksMax", "LimitNOFILE"):
        assert one[limit], limit
    for hardening in ("NoNewPrivileges", "PrivateTmp", "PrivateDevices", "ProtectHome"):
        assert one[hardening] == "yes", hardening
    assert one["ProtectSystem"] == "strict"
    assert "%i" in one["ExecStart"] and "--port %i" in one["ExecStart"]


def unit_environment(settings: dict[str, list[str]], state_dir: str, cache_dir: str) -> dict[str, str]:
    """The environment systemd gives the service (``Environment=`` lines, folders moved), plus PATH."""
    environment = {"PATH": DEFAULT_PATH}
    for line in settings.get("Environment", []):
        for assignment in shlex.split(line):
            name, value = assignment.split("=", 1)
            environment[name] = value.replace(STATE_DIR, state_dir).replace(CACHE_DIR, cache_dir)
    return environment


def expand_command(exec_start: str, instance: str, environment: dict[str, str]) -> list[str]:
    """``ExecStart`` as systemd runs it: ``%i`` is the instance, ``$NAME`` splits into words, ``${NAME}`` does not."""
    words = []
    for word in shlex.split(exec_start.replace("%i", instance)):
        if re.fullmatch(r"\$\w+", word):
            words += environment.get(word[1:], "").split()
        else:
            words.append(re.sub(r"\$\{(\w+)\}", lambda m: environment.get(m[1], ""), word))
    return words


def test_unit_command_serves_as_an_unprivileged_user_and_stops_on_its_kill_signal(current_caches, launch):
    settings = service_settings(UNIT.read_text().replace(INSTALL_DIR, str(REPO)))
    user = pwd.getpwnam(UNPRIVILEGED)
    folders = [Path(tempfile.mkdtemp(prefix="mild-unit-")) for _ in ("state", "cache")]
    try:
        for folder in folders:
            os.chown(folder, user.pw_uid, user.pw_gid)
        environment = unit_environment(settings, str(folders[0]), str(folders[1]))
        port = str(free_port())
        command = expand_command(settings["ExecStart"][-1], port, environment)
        subject = launch([shutil.which("setpriv"), f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}",
                          "--clear-groups", "--", *command], Path(settings["WorkingDirectory"][-1]), environment)
        subject.ports = [int(port)]
        wait_ok(f"http://127.0.0.1:{port}/healthz", subject.process)
        uid_line = next(line for line in Path(f"/proc/{subject.pid}/status").read_text().splitlines()
                        if line.startswith("Uid:"))
        assert uid_line.split()[1:] == [str(user.pw_uid)] * 4

        started = time.monotonic()
        os.kill(subject.pid, getattr(signal, settings["KillSignal"][-1]))
        assert subject.process.wait(timeout=APP_STOP_BUDGET_S + 10) == 0, subject.log.read_text()[-2000:]
        assert time.monotonic() - started <= APP_STOP_BUDGET_S
        assert subject.survivors() == []
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def nginx_test(site_text: str, folder: Path) -> subprocess.CompletedProcess:
    """``nginx -t`` on ``deploy/nginx.conf`` including ``site_text`` as its site."""
    (folder / "site.conf").write_text(site_text)
    (folder / "nginx.conf").write_text(main_config(folder))
    return subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf"),
                           "-e", str(folder / "error.log")], capture_output=True, text=True)


def readme_upstream() -> str:
    """The several-machines ``upstream`` block shown in README.md."""
    block = re.search(r"^( *)```nginx\n(.*?)\n\1```", (REPO / "README.md").read_text(), re.S | re.M)
    assert block, "README.md shows an upstream block for several machines"
    return textwrap.dedent(block[2])


def test_nginx_site_as_shipped_and_as_the_readme_extends_it_pass_nginx_t(tmp_path):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: scripts/test.sh installs it (apt-get install nginx)")
    shipped = SITE.read_text()
    result = nginx_test(shipped, tmp_path)
    assert result.returncode == 0, result.stderr

    upstream = readme_upstream()
    hosts = set(re.findall(r"server (\d+\.\d+\.\d+\.\d+):\d+", upstream))
    assert len(hosts) >= 2 and not any(h.startswith("127.") for h in hosts), "several machines, not loopback"
    assert "hash $viz_route consistent;" in upstream, "sticky by the routing cookie"
    several = re.sub(r"upstream viz_apps \{.*?\n\}", lambda _: upstream, shipped, flags=re.S)
    assert several != shipped
    result = nginx_test(several, tmp_path)
    assert result.returncode == 0, result.stderr


def test_nginx_page_for_no_app_answering_is_the_apps_busy_page():
    page = re.search(r"location @apps_unavailable \{.*?return 503 '([^']*)';", SITE.read_text(), re.S)
    assert page, "the site answers 502/504 with its own page"
    assert page[1] == busy_html("/app").replace("\n", "")
