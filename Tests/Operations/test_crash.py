"""Crash durability on SQLite (issue 16, item 3): the built server is killed with SIGKILL in
the middle of a mixed write load (public registrations, attempt starts through the group-commit
writer, submissions), KILLS times (10 by default); after each kill every write the server
acknowledged is in the database file and `PRAGMA integrity_check` says ok, and the server starts
again on the same file."""
import json
import os
import pathlib
import random
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from suite_counts import record  # noqa: E402  (Tests/suite_counts.py)

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("DANVAN_BINARY", ROOT / ".build" / "debug" / "danvan"))
KILLS = int(os.environ.get("KILLS", "10"))
SLUG = "dan-van-kheo-2026"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(base, method, path, body=None, token=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    if token:
        req.add_header("X-Participant-Token", token)
    with urllib.request.urlopen(req, timeout=timeout) as response:
        return response.status, json.loads(response.read() or b"null")


class Server:
    def __init__(self, folder, command="serve"):
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=f"sqlite://{folder}/danvan.sqlite", DANVAN_ROOT=str(ROOT), DANVAN_FILES=f"{folder}/files",
                   DANVAN_JOBS="0", DANVAN_SECRET_KEY_FILE=f"{folder}/secret.key", DANVAN_QUIZ_REQUESTS_PER_ADDRESS="0",
                   DANVAN_QUIZ_REGISTRATIONS_PER_ADDRESS="0", LOG_LEVEL="warning")
        env.pop("DANVAN_DEMO", None)
        self.log = open(os.path.join(folder, "server.log"), "a")
        self.process = subprocess.Popen([str(BINARY), command, "--hostname", "127.0.0.1", "--port", str(self.port)], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            assert self.process.poll() is None and time.time() < deadline, "server did not start: " + open(os.path.join(folder, "server.log")).read()[-3000:]
            time.sleep(0.2)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.log.close()


def test_acknowledged_writes_survive_sigkill():
    assert BINARY.exists(), f"build first: {BINARY} is missing"
    folder = tempfile.mkdtemp(prefix="danvan-crash-")
    server = Server(folder, "demo")
    status, contest = request(server.base, "GET", f"/api/v1/quiz/contests/{SLUG}")
    round_id = next(r["id"] for r in contest["rounds"] if r["phase"] == "open")
    occupation = (contest.get("occupations") or [""])[0]
    page = urllib.request.urlopen(f"{server.base}/thi/{SLUG}/dang-ky").read().decode()
    unit = page.split('<option value="')[2].split('"')[0]
    acknowledged = {"participants": set(), "attempts": set(), "submitted": set()}
    lock = threading.Lock()
    syllables = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nga"]
    counter = [0]
    rng = random.Random(int(os.environ.get("DANVAN_SEED", "17")))

    def worker(base, stop):
        while not stop.is_set():
            with lock:
                counter[0] += 1
                n = counter[0]
            name = "Thí sinh " + " ".join(syllables[int(d)] for d in str(n))
            phone = f"09{n:08d}"
            try:
                status, body = request(base, "POST", f"/api/v1/quiz/contests/{SLUG}/participants",
                                       {"fullName": name, "birthDate": "01/02/1990", "phone": phone, "unitId": unit, "occupation": occupation, "secret": f"bi-mat-{n}"})
                if status != 201:
                    continue
                with lock:
                    acknowledged["participants"].add(body["participantId"])
                status, attempt = request(base, "POST", f"/api/v1/quiz/rounds/{round_id}/attempts", {}, token=body["token"])
                if status not in (200, 201):
                    continue
                with lock:
                    acknowledged["attempts"].add(attempt["id"])
                status, result = request(base, "POST", f"/api/v1/quiz/attempts/{attempt['id']}/submission", {"answers": {}, "prediction": n % 50}, token=body["token"])
                if status == 200:
                    with lock:
                        acknowledged["submitted"].add(attempt["id"])
            except (OSError, urllib.error.URLError, ValueError, KeyError):
                time.sleep(0.01)

    for kill in range(KILLS):
        if kill > 0:
            server = Server(folder)
        stop = threading.Event()
        threads = [threading.Thread(target=worker, args=(server.base, stop)) for _ in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.8, 2.0))
        server.kill()  # in the middle of the load: requests are in flight
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        database = sqlite3.connect(os.path.join(folder, "danvan.sqlite"))
        try:
            assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            participants = {row[0] for row in database.execute("SELECT lower(id) FROM quiz_participants")}
            attempts = dict(database.execute("SELECT lower(id), status FROM quiz_attempts").fetchall())
        finally:
            database.close()
        with lock:
            lost_participants = {p for p in acknowledged["participants"] if p.lower() not in participants}
            lost_attempts = {a for a in acknowledged["attempts"] if a.lower() not in attempts}
            unsubmitted = {a for a in acknowledged["submitted"] if attempts.get(a.lower()) == "started"}
        assert not lost_participants and not lost_attempts and not unsubmitted, (kill, lost_participants, lost_attempts, unsubmitted)
    # Writes were acknowledged in every round, and the file still serves.
    assert len(acknowledged["participants"]) >= KILLS and len(acknowledged["attempts"]) > 0 and len(acknowledged["submitted"]) > 0, {k: len(v) for k, v in acknowledged.items()}
    server = Server(folder)
    status, _ = request(server.base, "GET", f"/api/v1/quiz/contests/{SLUG}")
    assert status == 200
    server.kill()
    record("crash durability", f"{KILLS} kills survived; acknowledged and found: {len(acknowledged['participants'])} registrations, "
          f"{len(acknowledged['attempts'])} attempt starts, {len(acknowledged['submitted'])} submissions")
