"""Starts the built `danvan demo` server on a free port with a temporary SQLite database,
and drives Debian's Chromium through its real pages."""
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "Tests" / "Browser" / "screenshots"
BINARY = pathlib.Path(os.environ.get("DANVAN_BINARY", ROOT / ".build" / "debug" / "danvan"))
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/lib/chromium/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
PASSWORD = "demo1234"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    assert BINARY.exists(), f"build first: {BINARY} is missing (swift build)"
    folder = tempfile.mkdtemp(prefix="danvan-browser-")
    port = free_port()
    # BROWSER_DATABASE_URL (an empty PostgreSQL database) runs the same tests on PostgreSQL.
    database = os.environ.get("BROWSER_DATABASE_URL") or f"sqlite://{folder}/danvan.sqlite"
    # No periodic job in the test server (DANVAN_JOBS=0): a job run in the middle of a test
    # (overdue marking, a yearly task's occurrences) changed counts the test was reading.
    env = dict(os.environ, DATABASE_URL=database, DANVAN_ROOT=str(ROOT), DANVAN_FILES=f"{folder}/files", DANVAN_JOBS="0")
    env.pop("DANVAN_DEMO", None)
    log = open(os.path.join(folder, "server.log"), "w")
    process = subprocess.Popen(
        [str(BINARY), "demo", "--hostname", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.time() > deadline:
            log.close()
            raise RuntimeError("server did not start:\n" + open(os.path.join(folder, "server.log")).read()[-4000:])
        time.sleep(0.3)
    # The first render of each kind of page in a fresh debug process (templates read from
    # disk, the unit tree and the reader's tables built, Chromium's own first start) must not
    # count against a test's waits: warm them up once, outside the tests.
    for path in ("/login", "/thi"):
        try:
            urllib.request.urlopen(base + path, timeout=30).read()
        except OSError:
            pass
    warm = make_driver()
    try:
        login(warm, base, "chuyenvien")
        for path in ("/documents/new", "/documents", "/tasks", "/tasks/dashboard"):
            warm.get(base + path)
    finally:
        warm.quit()
    yield base
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    # Keep the server's log beside the screenshots: the first place to look when a test failed.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(os.path.join(folder, "server.log"), SCREENSHOTS / ("server-postgres.log" if os.environ.get("BROWSER_DATABASE_URL") else "server-sqlite.log"))
    shutil.rmtree(folder, ignore_errors=True)


def make_driver(width=1280, height=900, mobile=False):
    options = Options()
    if mobile:
        # Headless windows cannot be narrower than about 500 px; emulate a real phone viewport.
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0}})
        width, height = 500, 900
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}", "--lang=vi-VN"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture
def browser():
    driver = make_driver()
    yield driver
    driver.quit()


@pytest.fixture
def phone():
    driver = make_driver(390, 844, mobile=True)
    yield driver
    driver.quit()


def shot(driver, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def wait(driver, seconds=30):
    # While a page is being replaced, Chromium can answer a poll with a stale element or
    # "Node … does not belong to the document"; keep polling. A condition that never holds
    # still ends in a TimeoutException. Waits are for a state the user sees; the limit is only
    # there so a broken page fails instead of hanging (a 2-core machine running Chromium and a
    # debug server at once can take several seconds for one page).
    return WebDriverWait(driver, seconds, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException, WebDriverException))


def unique(prefix=""):
    """A number no other test (nor a rerun of this one) uses: tests own their data."""
    return f"{prefix}{int(time.time() * 1000) % 100000 + os.getpid() % 100}"


def login(driver, base, username, password=PASSWORD):
    driver.get(base + "/login")
    driver.find_element(By.ID, "username").clear()
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait(driver).until(EC.presence_of_element_located((By.ID, "logout")))


def logout(driver):
    driver.find_element(By.ID, "logout").click()
    wait(driver).until(EC.presence_of_element_located((By.ID, "username")))


def browser_errors(driver):
    """Console errors, e.g. a Content-Security-Policy violation or a missing asset."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def pick_unit(driver, select_id, query, label):
    """Picks a unit in the searchable picker of <select id=select_id>: types `query` (part of
    a name, marks optional) and taps the match named `label`; returns when its chip shows."""
    search = driver.find_element(By.ID, select_id + "-search")
    search.clear()
    search.send_keys(query)
    option = wait(driver).until(lambda d: next((li for li in d.find_elements(By.CSS_SELECTOR, f"#{select_id}-search-list li[role=option]") if li.text == label), None))
    option.click()
    wait(driver).until(lambda d: label in chips(d, select_id))


def chips(driver, select_id):
    """The names on the chosen-unit chips of a picker."""
    return [chip.find_element(By.TAG_NAME, "span").text for chip in driver.find_elements(By.CSS_SELECTOR, f"#{select_id} + .picker .picker-chip")]


def clear_units(driver, select_id):
    """Removes every chosen unit of a picker with its chips' buttons."""
    for button in driver.find_elements(By.CSS_SELECTOR, f"#{select_id} + .picker .picker-chip button"):
        button.click()
    wait(driver).until(lambda d: chips(d, select_id) == [])
