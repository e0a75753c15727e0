"""Several instances behind nginx on PostgreSQL (issue 16, item 2): two `danvan` processes share
one PostgreSQL database, one file store and one secret; Debian's nginx with a self-signed
certificate balances them, and the app believes its X-Forwarded-For (DANVAN_TRUSTED_PROXIES).
Through nginx: an administrator signs in and uploads a file, officials report task progress
through the API, contestants register, start and submit; one instance is killed with SIGKILL in
the middle. Afterwards every acknowledged write is in the database, the file uploaded through
one instance is served by both, and the administrator is still signed in. Then PostgreSQL is
restarted under load: requests fail cleanly (503 with the Vietnamese message, never a 500 or a
dropped connection) and succeed again without restarting the app.

Needs CLUSTER_DATABASE_URL (an empty database on a PostgreSQL whose data folder is
CLUSTER_PGDATA, restartable by `pg_ctl`) and nginx; scripts/test provides both."""
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib3

import pytest
import requests
import sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from suite_counts import record  # noqa: E402  (Tests/suite_counts.py)

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("DANVAN_BINARY", ROOT / ".build" / "debug" / "danvan"))
DATABASE = os.environ.get("CLUSTER_DATABASE_URL")
PGDATA = os.environ.get("CLUSTER_PGDATA")
SLUG = "dan-van-kheo-2026"
SECRET = "kiem-thu-cum-may-chu-" + "0123456789abcdef" * 3
SYLLABLES = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nga"]

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
pytestmark = pytest.mark.skipif(not DATABASE or not PGDATA or not shutil.which("nginx"), reason="needs CLUSTER_DATABASE_URL, CLUSTER_PGDATA and nginx (scripts/test)")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, seconds=120, what="ready"):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if check():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.3)
    raise AssertionError(f"not {what} within {seconds} s")


class Instance:
    def __init__(self, folder, name, command):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=DATABASE, DANVAN_ROOT=str(ROOT), DANVAN_FILES=f"{folder}/files", DANVAN_SECRET_KEY=SECRET,
                   DANVAN_TRUSTED_PROXIES="127.0.0.1", DANVAN_QUIZ_REQUESTS_PER_ADDRESS="0", DANVAN_QUIZ_REGISTRATIONS_PER_ADDRESS="0",
                   DANVAN_JOBS="1" if name == "a" else "0", LOG_LEVEL="warning",
                   # Sessions trusted from memory for 5 minutes: only PostgreSQL's notification can
                   # tell an instance that another one signed a session out.
                   DANVAN_SESSION_CACHE_SECONDS="300")
        env.pop("DANVAN_DEMO", None)
        self.log = open(os.path.join(folder, f"server-{name}.log"), "w")
        self.process = subprocess.Popen([str(BINARY), command, "--hostname", "127.0.0.1", "--port", str(self.port)], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(lambda: self.process.poll() is None and requests.get(self.base + "/healthz", timeout=2).status_code == 200, 180, f"instance {name} up")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def start_nginx(folder, upstreams):
    port = free_port()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", f"{folder}/key.pem", "-out", f"{folder}/cert.pem"], check=True, capture_output=True)
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in upstreams)
    user = "user root;" if os.geteuid() == 0 else ""
    conf = f"""{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {folder}/nginx-body; proxy_temp_path {folder}/nginx-proxy;
  fastcgi_temp_path {folder}/nginx-fcgi; uwsgi_temp_path {folder}/nginx-uwsgi; scgi_temp_path {folder}/nginx-scgi;
  upstream danvan {{
{servers}
  }}
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {folder}/cert.pem;
    ssl_certificate_key {folder}/key.pem;
    client_max_body_size 12m;
    location / {{
      proxy_pass http://danvan;
      proxy_next_upstream error timeout http_502;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
    }}
  }}
}}
"""
    path = f"{folder}/nginx.conf"
    with open(path, "w") as handle:
        handle.write(conf)
    process = subprocess.Popen(["nginx", "-c", path, "-p", folder], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"https://127.0.0.1:{port}"
    wait_until(lambda: requests.get(base + "/healthz", verify=False, timeout=2).status_code == 200, 30, "nginx up")
    return process, base


def psql(sql):
    return subprocess.run(["psql", DATABASE, "-Atc", sql], check=True, capture_output=True, text=True).stdout.split()


def csrf(page):
    return re.search(r'name="_csrf" value="([^"]+)"', page).group(1)


def test_two_instances_behind_nginx_survive_a_kill_and_a_database_restart():
    assert BINARY.exists(), f"build first: {BINARY} is missing"
    folder = tempfile.mkdtemp(prefix="danvan-cluster-")
    a = Instance(folder, "a", "demo")   # loads the demo province into the shared database
    b = Instance(folder, "b", "serve")
    nginx, base = start_nginx(folder, [a.port, b.port])
    try:
        # An administrator signs in through nginx and makes an API key.
        admin = requests.Session()
        admin.verify = False
        admin.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=False
        page = admin.get(base + "/login").text
        assert admin.post(base + "/login", data={"_csrf": csrf(page), "username": "admin", "password": "demo1234", "next": "/"}, allow_redirects=False).status_code == 303
        page = admin.get(base + "/account").text
        token = re.search(r'<code id="new-token">([^<]+)</code>', admin.post(base + "/account/tokens", data={"_csrf": csrf(page), "name": "cum"}).text).group(1)
        bearer = {"Authorization": f"Bearer {token}"}
        # A file uploaded through nginx (one instance) is served by both instances.
        register = admin.get(base + "/emulation").text
        model = re.search(r'href="(/emulation/models/[0-9A-F-]{36})"', register).group(1)
        page = admin.get(base + model).text
        content = ("Biên bản họp dân " + os.urandom(8).hex()).encode()
        uploaded = admin.post(base + model + "/files", data={"_csrf": csrf(page)}, files={"files[]": ("bien-ban.txt", content, "text/plain")}, allow_redirects=False)
        assert uploaded.status_code == 303, uploaded.status_code
        link = re.search(r'href="(' + re.escape(model) + r'/files/[0-9A-F-]{36})"', admin.get(base + model).text).group(1)
        cookies = admin.cookies.get_dict()
        for instance in (a, b):
            served = requests.get(instance.base + link, cookies=cookies, timeout=10)
            assert served.status_code == 200 and served.content == content, (instance.base, served.status_code)

        # Signing out on one instance ends the session on the other, which had it in memory.
        official = requests.Session()
        official.trust_env = False
        page = official.get(a.base + "/login").text
        assert official.post(a.base + "/login", data={"_csrf": csrf(page), "username": "chuyenvien", "password": "demo1234", "next": "/"}, allow_redirects=False).status_code == 303
        old = official.cookies.get_dict()
        for instance in (a, b, a, b):
            assert requests.get(instance.base + "/account", cookies=old, allow_redirects=False, timeout=10).status_code == 200
        page = official.get(a.base + "/account").text
        assert official.post(a.base + "/logout", data={"_csrf": csrf(page)}, allow_redirects=False).status_code == 303
        wait_until(lambda: requests.get(b.base + "/account", cookies=old, allow_redirects=False, timeout=10).status_code == 303, 5, "the sign-out seen by the other instance")

        # The load: contestants and task progress through nginx; instance a dies in the middle.
        contest = requests.get(f"{base}/api/v1/quiz/contests/{SLUG}", verify=False).json()
        round_id = next(r["id"] for r in contest["rounds"] if r["phase"] == "open")
        occupation = (contest.get("occupations") or [""])[0]
        unit = requests.get(f"{base}/thi/{SLUG}/dang-ky", verify=False).text.split('<option value="')[2].split('"')[0]
        tasks = [t["id"] for t in requests.get(base + "/api/v1/tasks?limit=50", headers=bearer, verify=False).json()["items"]]
        acknowledged = {"participants": set(), "attempts": set(), "submitted": set(), "progress": set()}
        refused = {"500": 0, "502": 0, "dropped": 0}
        lock = threading.Lock()
        counter = [0]
        stop = threading.Event()

        def contestant():
            session = requests.Session()
            session.verify = False
            session.trust_env = False
            while not stop.is_set():
                with lock:
                    counter[0] += 1
                    n = counter[0]
                try:
                    reply = session.post(f"{base}/api/v1/quiz/contests/{SLUG}/participants", timeout=10, json={
                        "fullName": "Thí sinh " + " ".join(SYLLABLES[int(d)] for d in str(n)), "birthDate": "01/02/1990", "phone": f"08{n:08d}", "unitId": unit, "occupation": occupation, "secret": f"bi-mat-{n}"})
                    if reply.status_code != 201:
                        with lock:
                            refused.setdefault("sample", f"{reply.status_code} {reply.text[:200]}")
                            # 502: nginx lost the instance in the middle of this request (not acknowledged).
                            if reply.status_code in (500, 502):
                                refused[str(reply.status_code)] += 1
                        continue
                    body = reply.json()
                    with lock:
                        acknowledged["participants"].add(body["participantId"].lower())
                    reply = session.post(f"{base}/api/v1/quiz/rounds/{round_id}/attempts", json={}, headers={"X-Participant-Token": body["token"]}, timeout=10)
                    if reply.status_code not in (200, 201):
                        continue
                    attempt = reply.json()["id"]
                    with lock:
                        acknowledged["attempts"].add(attempt.lower())
                    reply = session.post(f"{base}/api/v1/quiz/attempts/{attempt}/submission", json={"answers": {}}, headers={"X-Participant-Token": body["token"]}, timeout=10)
                    if reply.status_code == 200:
                        with lock:
                            acknowledged["submitted"].add(attempt.lower())
                except requests.RequestException:
                    with lock:
                        refused["dropped"] += 1

        def official(worker):
            session = requests.Session()
            session.verify = False
            session.trust_env = False
            n = 0
            while not stop.is_set():
                n += 1
                task = tasks[(worker * 7 + n) % len(tasks)]
                text = f"Tiến độ cụm {worker}-{n}"
                try:
                    version = session.get(f"{base}/api/v1/tasks/{task}", headers=bearer, timeout=10).json()["version"]
                    reply = session.post(f"{base}/api/v1/tasks/{task}/progress", headers=bearer, json={"text": text, "progress": 40, "version": version}, timeout=10)
                    if reply.status_code == 200:
                        with lock:
                            acknowledged["progress"].add(text)
                except (requests.RequestException, ValueError, KeyError):
                    with lock:
                        refused["dropped"] += 1

        threads = [threading.Thread(target=contestant) for _ in range(4)] + [threading.Thread(target=official, args=(w,)) for w in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        a.kill()   # requests are in flight on it
        time.sleep(4)
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
        participants = set(psql("SELECT lower(id::text) FROM quiz_participants"))
        attempts = dict(line.split("|") for line in psql("SELECT lower(id::text) || '|' || status FROM quiz_attempts"))
        progress = set(subprocess.run(["psql", DATABASE, "-Atc", "SELECT text FROM task_updates"], check=True, capture_output=True, text=True).stdout.splitlines())
        assert acknowledged["participants"] <= participants, acknowledged["participants"] - participants
        assert all(attempt in attempts for attempt in acknowledged["attempts"])
        assert all(attempts.get(attempt) != "started" for attempt in acknowledged["submitted"])
        assert acknowledged["progress"] <= progress, acknowledged["progress"] - progress
        assert len(acknowledged["participants"]) > 0 and len(acknowledged["submitted"]) > 0 and len(acknowledged["progress"]) > 0, ({k: len(v) for k, v in acknowledged.items()}, refused)
        assert refused["500"] == 0, refused
        # The administrator is still signed in (the session is in the database, b serves it).
        account = admin.get(base + "/account", allow_redirects=False)
        assert account.status_code == 200 and 'id="logout"' in account.text

        # PostgreSQL restarts under load: 503 with the message, never a 500; then 200 again.
        statuses = {}
        messages = set()
        stop = threading.Event()

        def reader():
            session = requests.Session()
            session.verify = False
            session.trust_env = False
            while not stop.is_set():
                try:
                    reply = session.get(base + "/api/v1/units?limit=5", headers=bearer, timeout=15)
                    code = reply.status_code
                    if code == 503:
                        messages.add(reply.json()["error"]["message"])
                except requests.RequestException:
                    code = "dropped"
                with lock:
                    statuses[code] = statuses.get(code, 0) + 1
                time.sleep(0.02)

        readers = [threading.Thread(target=reader) for _ in range(3)]
        for thread in readers:
            thread.start()
        time.sleep(1)
        owner = ["su", "postgres", "-s", "/bin/sh", "-c"] if os.geteuid() == 0 else ["sh", "-c"]
        pgbin = sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        subprocess.run(owner + [f"{pgbin}/pg_ctl -D {PGDATA} -m fast -w restart -l {PGDATA}/server.log"], check=True, capture_output=True)
        time.sleep(4)
        stop.set()
        for thread in readers:
            thread.join(timeout=30)
        assert b.process.poll() is None, "the instance survived the restart"
        assert not any(code == 500 or code == "dropped" or code == 502 for code in statuses), statuses
        assert all("tạm thời không sẵn sàng" in message for message in messages), messages
        after = requests.get(base + "/api/v1/units?limit=5", headers=bearer, verify=False, timeout=15)
        assert after.status_code == 200, after.status_code
        record("multi-instance", f"{len(acknowledged['participants'])} registrations, {len(acknowledged['attempts'])} attempts, "
              f"{len(acknowledged['submitted'])} submissions, {len(acknowledged['progress'])} progress reports acknowledged and found after a SIGKILL "
              f"({refused['502']} answered 502 by nginx as the instance died, {refused['dropped']} cut); database restart: {dict(sorted((str(k), v) for k, v in statuses.items()))}")
    finally:
        nginx.send_signal(signal.SIGTERM)
        nginx.wait(timeout=20)
        a.stop()
        b.stop()
        # The instances' and nginx's logs stay beside the browser screenshots: the first place to look.
        logs = ROOT / "Tests" / "Browser" / "screenshots"
        logs.mkdir(parents=True, exist_ok=True)
        for name in ("server-a.log", "server-b.log", "nginx-error.log"):
            if os.path.exists(os.path.join(folder, name)):
                shutil.copy(os.path.join(folder, name), logs / f"cluster-{name}")
        shutil.rmtree(folder, ignore_errors=True)
