"""docs/deployment.md, followed to the letter: every ``# guide:`` block, in order.

The blocks run with ``bash -eu`` after the guide's variables block, with this test's values
for the variables: paths in a temporary root, the current user as the service user, a fresh
database on the test server (``TEARLINE_TEST_POSTGRES_URL``, dropped afterwards), free high
ports, ``DOMAIN=localhost`` and ``CADDY_TLS="tls internal"``. What needs root or systemd is
done as the guide's last section says ("How this guide is tested"):

- ``packages``: the programs are checked, not installed (.ci/run installs them).
- ``adduser`` is skipped; ``as_service`` runs a command as the current user.
- ``install``: honestly, no install. ``$PREFIX/venv`` is a link to the virtual environment
  running this test (this checkout, installed with its dependencies as the README says);
  ``pip install`` lines are skipped, as they need the network.
- ``database``: a fresh database made with the test server's role; other
  ``runuser -u postgres --`` lines run as that role.
- ``systemctl``: ``start``/``enable --now`` run each unit's ``ExecStart`` from the unit file
  the guide installed, with its ``EnvironmentFile``; ``stop`` sends SIGTERM and waits (a
  worker must exit 0); ``reload caddy`` runs ``caddy run`` on the Caddyfile the guide wrote,
  with a global block for high ports, no admin endpoint and no change to the system's
  trust store.

Between section 9 (check) and the backups the test does what a deployment is for, through
Caddy's TLS: the sign-in page, an API call with a token, and a released warning delivered
by the worker services to a loopback receiver. After the key rotation the old key is still
published and the warning it signed still verifies. Caddy is required where
``TEARLINE_REQUIRE_CADDY=1`` (.ci/run), skipped with the reason elsewhere.
"""

from __future__ import annotations

import fnmatch
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

from tearline.demo.receiver import LoopbackReceiver
from tests.conftest import postgres_url

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "deployment.md"
BLOCK = re.compile(r"^```sh\n# guide: (\S+)\n(.*?)^```", re.S | re.M)
SKIPPED = ("adduser ", "apt-get ")
# The guide's `pip install` lines: never run here, they would install into the test's venv.
PIP_INSTALL = re.compile(r"/venv/bin/pip\"?\s+install")
PASSWORD = "deploy-guide-test-password-1"
# How long a service may take to answer before the test gives up waiting (not a limit on
# how fast anything must be: a stuck start would otherwise hang the run).
PATIENCE = 180.0  # a hang guard for services to answer, far above any real start: no
# speed is asserted here (timings live in bench/)


def guide_blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(GUIDE.read_text())]


def free_port() -> int:
    """A free port below Linux's ephemeral range, so that no client connection made while
    the guide runs (hundreds, to PostgreSQL) can be holding it when a service binds it."""
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def health_prefix(workers: int) -> str:
    """WORKER_HEALTH: a prefix P with P1..PN free (worker N listens on PN)."""
    while True:
        prefix = random.randrange(2000, 3200)
        if all(port_is_free(prefix * 10 + n) for n in range(1, workers + 1)):
            return str(prefix)


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def need_caddy() -> str:
    found = shutil.which("caddy")
    if found:
        return found
    if os.environ.get("TEARLINE_REQUIRE_CADDY") == "1":
        pytest.fail("TEARLINE_REQUIRE_CADDY=1 but no caddy: apt-get install caddy")
    # Deliberate: a developer without Caddy still runs the rest of the suite; CI cannot
    # skip this, since .ci/run installs Caddy and sets TEARLINE_REQUIRE_CADDY=1 (above).
    pytest.skip("Caddy not installed (apt-get install caddy; .ci/run does)")


def with_values(variables: str, values: dict[str, str]) -> str:
    """The variables block with this test's values in place of the guide's."""
    lines = []
    for line in variables.splitlines():
        name = line.split("=", 1)[0]
        if re.fullmatch(r"[A-Z_0-9]+", name) and name in values:
            line = f"{name}={shlex.quote(values[name])}"
        lines.append(line)
    return "\n".join(lines) + '\nas_service() { "$@"; }\n'


class Machine:
    """The temporary root: runs the guide's shell, stands in for systemd."""

    def __init__(self, root: Path, prelude: str, env: dict[str, str], values: dict[str, str]):
        self.root = root
        self.prelude = prelude
        self.env = env
        self.values = values
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.logs = root / "journal"
        self.logs.mkdir()

    def sh(self, script: str) -> str:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", self.prelude + "\n" + script],
            env=self.env,
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (
            f"{script}\nexit {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
        return result.stdout

    def tearline(self, *args: str) -> str:
        return self.sh("tearline " + shlex.join(args))

    def run_block(self, name: str, body: str) -> None:
        segment: list[str] = []
        for line in body.splitlines():
            if line.startswith(SKIPPED) or PIP_INSTALL.search(line):
                continue
            if line.startswith("runuser -u postgres -- "):
                line = line.removeprefix("runuser -u postgres -- ")
            if line.startswith("systemctl "):
                if segment:
                    self.sh("\n".join(segment))
                segment = []
                words = line.removeprefix("systemctl ")
                self.systemctl(self.sh(f"set -f\nprintf '%s\\n' {words}").split())
                continue
            segment.append(line)
        if segment:
            self.sh("\n".join(segment))

    # --- systemd, as far as the guide uses it -----------------------------------------

    def systemctl(self, argv: list[str]) -> None:
        verb, *rest = argv
        names = [a for a in rest if not a.startswith("--")]
        if verb == "daemon-reload":
            return
        if verb in ("start", "enable") and (verb == "start" or "--now" in rest):
            for unit in names:
                self.start(unit)
        elif verb == "stop":
            for pattern in names:
                for unit in [u for u in self.running if fnmatch.fnmatch(u, pattern)]:
                    self.stop(unit)
        elif argv == ["reload", "caddy"]:
            self.start_caddy()
        else:
            raise AssertionError(f"the guide runs systemctl {' '.join(argv)}: not simulated")

    def unit(self, name: str) -> tuple[list[str], dict[str, str]]:
        template, _, instance = name.partition("@")
        file = f"{template}@.service" if "@" in name else f"{name}.service"
        lines = (Path(self.values["SYSTEMD_DIR"]) / file).read_text().splitlines()
        start = next(v for k, _, v in (x.partition("=") for x in lines) if k == "ExecStart")
        env_file = next(
            v for k, _, v in (x.partition("=") for x in lines) if k == "EnvironmentFile"
        )
        env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}
        for line in Path(env_file).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key] = value
        return shlex.split(start.replace("%i", instance)), env

    def start(self, name: str) -> None:
        argv, env = self.unit(name)
        with (self.logs / f"{name}.log").open("ab") as log:  # the child keeps its own copy
            self.running[name] = subprocess.Popen(argv, env=env, stdout=log, stderr=log)
        if name == "tearline-web":
            self.wait_for(name, lambda: httpx.get(self.desk + "/healthz").status_code == 200)

    def stop(self, name: str) -> None:
        process = self.running.pop(name)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=PATIENCE)
        assert code == 0, f"{name} exited {code} on SIGTERM:\n{self.journal(name)}"

    def start_caddy(self) -> None:
        if "caddy" in self.running:
            old = self.running.pop("caddy")
            old.terminate()
            old.wait(timeout=PATIENCE)
        config = self.root / "caddy" / "Caddyfile"
        config.parent.mkdir(exist_ok=True)
        config.write_text(
            "{\n"
            f"\thttp_port {self.values['HTTP_PORT']}\n"
            f"\thttps_port {self.values['HTTPS_PORT']}\n"
            "\tadmin off\n\tskip_install_trust\n}\n" + Path(self.values["CADDYFILE"]).read_text()
        )
        with (self.logs / "caddy.log").open("ab") as log:
            self.running["caddy"] = subprocess.Popen(
                [need_caddy(), "run", "--config", str(config), "--adapter", "caddyfile"],
                env=self.env,
                stdout=log,
                stderr=log,
            )
        self.wait_for("caddy", self.answers_over_tls)

    def answers_over_tls(self) -> bool:
        with self.https() as client:
            return client.get("/healthz").status_code == 200

    @property
    def desk(self) -> str:
        return f"http://127.0.0.1:{self.values['PORT']}"

    @property
    def ca(self) -> Path:
        return Path(self.env["XDG_DATA_HOME"]) / "caddy/pki/authorities/local/root.crt"

    def https(self) -> httpx.Client:
        """A client that trusts Caddy's internal CA and nothing else."""
        return httpx.Client(
            base_url=self.values["URL"], verify=ssl.create_default_context(cafile=str(self.ca))
        )

    def wait_for(self, name: str, ready: object) -> None:
        deadline = time.monotonic() + PATIENCE
        while True:
            process = self.running[name]
            assert process.poll() is None, f"{name} exited:\n{self.journal(name)}"
            try:
                if callable(ready) and ready():
                    return
            except (httpx.HTTPError, OSError, ssl.SSLError):
                pass
            assert time.monotonic() < deadline, f"{name} never answered:\n{self.journal(name)}"
            time.sleep(0.2)

    def journal(self, name: str, *, whole: bool = False) -> str:
        path = self.logs / f"{name}.log"
        found = path.read_text(errors="replace") if path.exists() else ""
        return found if whole else found[-4000:]

    def shutdown(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()


@pytest.fixture
def database() -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh database name on the test server, and what the guide's variables need."""
    base = postgres_url()
    assert base is not None
    url = make_url(base)
    name = f"{url.database}_guide_{os.getpid()}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    values = {
        "DB_NAME": name,
        "DB_USER": url.username or "",
        "DB_PASSWORD": url.password or "",
        "DB_HOST": url.host or "127.0.0.1",
        "DB_PORT": str(url.port or 5432),
    }
    try:
        yield name, values
    finally:
        with engine.connect() as conn:
            for db in (name, f"{name}_drill"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        engine.dispose()


@pytest.mark.postgres
def test_the_deployment_guide_reaches_a_desk_behind_tls_with_worker_services(
    tmp_path: Path, database: tuple[str, dict[str, str]]
) -> None:
    caddy = need_caddy()
    name, db_values = database
    root = tmp_path / "root"
    root.mkdir()
    https_port = free_port()
    values = {
        "PREFIX": str(root / "opt/tearline"),
        "ETC": str(root / "etc/tearline"),
        "TEARLINE_HOME": str(root / "var/lib/tearline"),
        "BACKUPS": str(root / "var/backups/tearline"),
        "SRC": str(REPO),
        "SERVICE_USER": subprocess.run(
            ["id", "-un"], capture_output=True, text=True
        ).stdout.strip(),
        "SERVICE_GROUP": subprocess.run(
            ["id", "-gn"], capture_output=True, text=True
        ).stdout.strip(),
        "PORT": str(free_port()),
        "WEB_PROCESSES": "2",
        "WORKERS": "2",
        "WORKER_HEALTH": health_prefix(2),
        "DOMAIN": "localhost",
        "URL": f"https://localhost:{https_port}",
        "CADDY_TLS": "tls internal",
        "SYSTEMD_DIR": str(root / "etc/systemd/system"),
        "CADDYFILE": str(root / "etc/caddy/Caddyfile"),
        "CADDY_CA": str(root / "caddy-data/caddy/pki/authorities/local/root.crt"),
        **db_values,
    }
    for folder in ("SYSTEMD_DIR", "CADDYFILE"):
        path = Path(values[folder])
        (path if folder == "SYSTEMD_DIR" else path.parent).mkdir(parents=True)
    blocks = guide_blocks()
    assert [b for b, _ in blocks][:3] == ["variables", "packages", "user"], "guide's order"
    prelude = with_values(blocks[0][1], values)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEARLINE_", "PG"))}
    env |= {
        "TEARLINE_NEW_PASSWORD": PASSWORD,
        "TEARLINE_PASSWORD": PASSWORD,
        "XDG_DATA_HOME": str(root / "caddy-data"),
        "XDG_CONFIG_HOME": str(root / "caddy-config"),
        "PGHOST": values["DB_HOST"],
        "PGPORT": values["DB_PORT"],
        "PGUSER": values["DB_USER"],
        "PGPASSWORD": values["DB_PASSWORD"],
        "PGDATABASE": name,
        "COLUMNS": "200",
    }
    env["CURL_CA_BUNDLE"] = values["CADDY_CA"]  # as the guide's caddy block exports it
    machine = Machine(
        root, prelude, env, values | {"HTTP_PORT": str(free_port()), "HTTPS_PORT": str(https_port)}
    )
    receiver = LoopbackReceiver()
    hook = receiver.start()
    try:
        done: list[str] = []
        for block, body in blocks[1:]:
            if block == "packages":
                for program in (caddy, "pg_dump", "pg_restore", "curl", "bash", "sed"):
                    assert shutil.which(program), f"{program} is not installed"
            elif block == "install":
                Path(values["PREFIX"]).mkdir(parents=True)
                (Path(values["PREFIX"]) / "venv").symlink_to(sys.prefix)
            elif block == "database":
                machine.sh(f"createdb {shlex.quote(name)}")
            else:
                machine.run_block(block, body)
            done.append(block)
            if block == "check":
                what_a_deployment_is_for(machine, hook, receiver, values)
        assert done[-1] == "rotate-key"
        assert "restore-drill" in done
        assert "upgrade" in done
        after_the_rotation(machine, receiver)
        for unit in [u for u in machine.running if u.startswith("tearline-worker@")]:
            machine.stop(unit)  # SIGTERM: drains and exits 0
        for unit in ("tearline-web", "tearline-worker@1", "tearline-worker@2"):
            for line in machine.journal(unit, whole=True).splitlines():
                assert json.loads(line)["message"], (unit, line)  # JSON logs, every line
    finally:
        receiver.stop()
        machine.shutdown()


def what_a_deployment_is_for(
    machine: Machine, hook: str, receiver: LoopbackReceiver, values: dict[str, str]
) -> None:
    """Through Caddy's TLS: health, the sign-in page, the API with a token, a delivery."""
    with machine.https() as client:
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["ok"] is True
        login = client.get("/login")
        assert login.status_code == 200
        assert 'name="password"' in login.text
        out = machine.tearline("users", "token", "root-admin", "--name", "ops")
        token = out.strip().splitlines()[-1]
        me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        assert me.json()["username"] == "root-admin"
        assert "admin" in me.json()["roles"]
        assert client.get("/api/me").status_code == 401
    # A case, as the desk's people would run it from the command line.
    machine.tearline("users", "add", "dana", "--role", "duty_officer", "--role", "analyst")
    machine.tearline("users", "add", "avery", "--role", "approver")
    machine.tearline(
        "recipients",
        "add",
        "Russia",
        "--kind",
        "government",
        "--tier",
        "adversary",
        "--jurisdiction",
        "RU",
        "--contact",
        f"webhook={hook}/alerts",
    )
    report = machine.root / "report.txt"
    report.write_text(
        "Liaison report. ISIS-K operatives are planning an armed attack on large gatherings "
        "in Moscow, including concerts at Crocus City Hall, within the next few days. "
        "They intend to kill as many people as possible."
    )
    machine.tearline("ingest", str(report), "--source", "PINE HARBOUR", "--reliability", "B")
    machine.tearline("decide", "THR-1", "--user", "dana")
    machine.tearline("release", "THR-1", "--user", "dana")
    machine.tearline("approve", "REL-1", "--user", "avery")
    deadline = time.monotonic() + PATIENCE
    while not delivered(machine):  # the worker services poll every 2 s
        assert time.monotonic() < deadline, machine.journal("tearline-worker@1")
        time.sleep(0.2)
    assert receiver.posts[0].body["jws"]
    lines = worker_log(machine)
    assert not any("PINE HARBOUR" in json.dumps(r) for r in lines)


def worker_log(machine: Machine) -> list[dict[str, object]]:
    """The worker services' lines: JSON objects (log_format in the guide's TOML file)."""
    return [
        json.loads(line)
        for unit in ("tearline-worker@1", "tearline-worker@2")
        for line in machine.journal(unit, whole=True).splitlines()
        if line.strip()
    ]


def delivered(machine: Machine) -> bool:
    return any(
        r.get("status") == "delivered" and r.get("channel") == "webhook"
        for r in worker_log(machine)
    )


def after_the_rotation(machine: Machine, receiver: LoopbackReceiver) -> None:
    """The new key signs; the old one is still published and its warning still verifies."""
    keys = sorted(machine.root.glob("var/lib/tearline/keys/*.jwk"))
    assert len(keys) == 2
    with machine.https() as client:
        assert client.get("/healthz").json()["ok"] is True  # the desk after the upgrade
        published = client.get("/.well-known/jwks.json").json()["keys"]
        assert len(published) == 2
        old = json.loads(keys[0].read_text())["kid"]
        verdict = client.post("/api/verify", json={"content": receiver.posts[0].body["jws"]})
        assert verdict.status_code == 200, verdict.text
        assert verdict.json()["authentic"] is True
        assert old in {k["kid"] for k in published}
        assert verdict.json()["key_id"] == old


def test_every_guide_block_is_shell_and_names_only_the_variables_it_sets() -> None:
    """Runs anywhere (no PostgreSQL, no Caddy): a typo in the guide fails here first."""
    blocks = guide_blocks()
    names = [b for b, _ in blocks]
    assert names[0] == "variables"
    assert len(names) == len(set(names)), names
    assigned = set(re.findall(r"(?m)^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=", GUIDE.read_text()))
    for block, body in blocks:
        check = subprocess.run(
            ["bash", "-n", "-c", blocks[0][1] + "\n" + body], capture_output=True, text=True
        )
        assert check.returncode == 0, (block, check.stderr)
        used = set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", body))
        assert used <= assigned, (block, used - assigned)
