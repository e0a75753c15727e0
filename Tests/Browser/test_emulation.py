"""Real-browser test of "Dân vận khéo": a commune registers a model; the board sets up a
council and opens the appraisal; a member from the commune is refused (conflict) and two
appraisers score; the model is recognised and replicated to two communes; the target page
moves and the public showcase shows it; a commune self-assesses grassroots democracy and the
province appraises it; a juried contest runs from entries to published prizes."""
import datetime
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import browser_errors, login, logout, make_driver, shot, unique, wait


def today():
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()


def set_value(browser, element_id, value):
    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, element_id), value)


def open_step(browser, step):
    details = browser.find_element(By.ID, step)
    if not details.get_attribute("open"):
        details.find_element(By.TAG_NAME, "summary").click()


def submit(browser, button_id):
    """Clicks a form's button and waits for the next page (not the one still showing) to answer."""
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.ID, button_id).click()
    wait(browser).until(EC.staleness_of(old))
    flash_ok(browser)


def flash_ok(browser):
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash-success, .field-error, .alert")))
    errors = browser.find_elements(By.CSS_SELECTOR, ".field-error, p.alert")
    assert not errors, errors[0].text


def make_council(browser, server, name, purpose, members):
    """The settings page: a council of this year with the members named (full names)."""
    browser.get(server + "/emulation/settings")
    open_step(browser, "new-council")
    browser.find_element(By.ID, "council-name").send_keys(name)
    Select(browser.find_element(By.ID, "council-purpose")).select_by_value(purpose)
    for label in browser.find_elements(By.CSS_SELECTOR, "#council-members label"):
        if any(label.text.startswith(member + " —") for member in members):
            label.find_element(By.TAG_NAME, "input").click()
    submit(browser, "save-council")
    assert name in browser.find_element(By.TAG_NAME, "main").text


def score(browser, server, appraisal_path, value):
    """Fills every criterion with `value` (capped at its maximum) and sends the sheet."""
    browser.get(server + appraisal_path)
    rows = browser.find_elements(By.CSS_SELECTOR, "#criteria tbody tr")
    for row in rows:
        inputs = row.find_elements(By.CSS_SELECTOR, "input[name^='points.']")
        if not inputs:
            continue
        maximum = float(row.find_element(By.CSS_SELECTOR, "td.num").text.split(" ")[0].replace(",", "."))
        inputs[0].send_keys(str(int(min(value, maximum))))
    submit(browser, "submit-score")


def dvk_meeting(browser, server):
    browser.get(server + "/emulation/targets")
    text = wait(browser).until(EC.presence_of_element_located((By.ID, "target-dvk"))).text
    return int(re.search(r"(\d+) trên", text).group(1))


def test_dvk_cycle_democracy_and_contest(server, browser):
    token = unique("DVK")
    name = f"Vận động hiến đất làm đường giao thông nông thôn {token}"
    council = f"Hội đồng thẩm định thử {token}"

    # 1. The board sets up a council: two appraisers and one from Xã Tân Lập.
    login(browser, server, "lanhdao")
    make_council(browser, server, council, "model", ["Lê Minh Đức", "Võ Thị Ngọc Diệp", "Đặng Quốc Cường"])
    logout(browser)

    # 2. A commune focal registers a model from a phone-sized screen; a missing field keeps the rest.
    phone = make_driver(390, 844, mobile=True)
    try:
        login(phone, server, "daumoi.tanlap")
        phone.get(server + "/emulation/models/new")
        phone.find_element(By.ID, "m-name").send_keys(name)
        Select(phone.find_element(By.ID, "m-field")).select_by_value("economy")
        phone.find_element(By.ID, "m-land").click()
        phone.find_element(By.ID, "m-problem").send_keys("Đường liên thôn hẹp, xe cứu thương không vào được.")
        phone.find_element(By.ID, "save-model").click()
        wait(phone).until(EC.presence_of_element_located((By.ID, "error-solution")))
        assert phone.find_element(By.ID, "m-name").get_attribute("value") == name
        phone.find_element(By.ID, "m-solution").send_keys("Tổ dân vận đến từng hộ; đảng viên hiến đất trước; công khai dự toán.")
        phone.find_element(By.ID, "m-beneficiaries").send_keys("420 hộ")
        assert phone.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        phone.find_element(By.ID, "save-model").click()
        wait(phone).until(EC.presence_of_element_located((By.ID, "model-name")))
        model_path = phone.current_url.replace(server, "")
        assert phone.find_element(By.ID, "model-status").text == "Đã đăng ký"
        shot(phone, "emulation-model-registered-phone")
        # The refused first try answers 422 on purpose; nothing else may fail (CSP, assets).
        assert not [e for e in browser_errors(phone) if "(Unprocessable Entity)" not in e["message"]]
    finally:
        phone.quit()

    # 3. The commune's leader proposes it to the province with its results.
    login(browser, server, "lanhdao.xa")
    browser.get(server + model_path)
    open_step(browser, "step-propose")
    Select(browser.find_element(By.ID, "propose-level")).select_by_value("province")
    browser.find_element(By.ID, "propose-results").send_keys("Mở rộng 3,2 km đường; 100% hộ đồng thuận.")
    submit(browser, "do-propose")
    logout(browser)

    # 4. The board opens the appraisal before the new council; the target before recognition.
    login(browser, server, "lanhdao")
    browser.get(server + model_path)
    unit_link = browser.find_element(By.CSS_SELECTOR, "dl.facts a[href^='/emulation/units/']").get_attribute("href")
    browser.get(unit_link)
    year = str(today().year)
    history = browser.find_elements(By.CSS_SELECTOR, "#history tbody tr")
    already = any(row.text.startswith(year) and "✔" in row.text for row in history)
    before = dvk_meeting(browser, server)
    browser.get(server + model_path)
    Select(browser.find_element(By.ID, "appraise-council")).select_by_visible_text(next(
        o.text for o in browser.find_elements(By.CSS_SELECTOR, "#appraise-council option") if o.text.startswith(council)))
    browser.find_element(By.ID, "do-appraise").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "appraisal-progress")))
    appraisal_path = browser.current_url.replace(server, "")
    assert "0/2" in browser.find_element(By.ID, "appraisal-progress").text
    logout(browser)

    # 5. The member from Xã Tân Lập is in conflict: no scoring sheet, the reason shown.
    login(browser, server, "lanhdao.xa")
    browser.get(server + appraisal_path)
    assert "xung đột lợi ích" in wait(browser).until(EC.presence_of_element_located((By.ID, "score-refusal"))).text
    assert not browser.find_elements(By.ID, "score-form")
    logout(browser)

    # 6. Two appraisers score independently.
    login(browser, server, "chuyenvien")
    score(browser, server, appraisal_path, 18)
    logout(browser)
    login(browser, server, "daumoi.mttq")
    browser.get(server + appraisal_path)
    assert "1/2" in browser.find_element(By.ID, "appraisal-progress").text
    score(browser, server, appraisal_path, 17)
    logout(browser)

    # 7. The board closes it, recognises the model with its decision and replicates it to two communes.
    login(browser, server, "lanhdao")
    browser.get(server + appraisal_path)
    browser.find_element(By.ID, "close-appraisal").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "decide")))
    browser.find_element(By.ID, "decision-number").send_keys(f"{token}-QĐ/BTGDVTU")
    set_value(browser, "decision-date", today().isoformat())
    submit(browser, "do-recognise")
    assert browser.find_element(By.ID, "model-status").text == "Đã công nhận"
    open_step(browser, "step-replicate")
    for label in browser.find_elements(By.CSS_SELECTOR, "#replicate-units label"):
        if label.text in ("Xã Đồng Tâm", "Xã Phước Hưng"):
            label.find_element(By.TAG_NAME, "input").click()
    set_value(browser, "replicate-due", (today() + datetime.timedelta(days=60)).isoformat())
    submit(browser, "do-replicate")
    rows = browser.find_elements(By.CSS_SELECTOR, "#replications tbody tr")
    assert len(rows) == 2 and all(row.find_elements(By.LINK_TEXT, "Nhiệm vụ theo dõi") for row in rows)
    shot(browser, "emulation-model-replicated")

    # 8. The target page moves; the public showcase shows the model without login.
    after = dvk_meeting(browser, server)
    assert after == before + (0 if already else 1), (before, after, already)
    shot(browser, "emulation-targets")
    logout(browser)
    browser.get(server + "/dan-van-kheo?q=" + token)
    card = wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#showcase-cards article")))
    assert name in card.text
    card.find_element(By.TAG_NAME, "a").click()
    assert name in wait(browser).until(EC.presence_of_element_located((By.ID, "story"))).text

    # 9. Grassroots democracy: a commune without this year's self-assessment fills it and sends it;
    #    the province's council appraises it and the class shows.
    login(browser, server, "lanhdao")
    browser.get(server + "/emulation/democracy")
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "#democracy-table tbody tr") if r.find_elements(By.CSS_SELECTOR, ".status-democracy-none"))
    commune = row.find_element(By.TAG_NAME, "a").text
    commune_path = row.find_element(By.TAG_NAME, "a").get_attribute("href").replace(server, "").split("?")[0]
    if commune == "Xã Tân Lập":
        logout(browser)
        login(browser, server, "daumoi.tanlap")
    browser.get(server + commune_path)
    for field in browser.find_elements(By.CSS_SELECTOR, "#democracy-criteria input[name^='points.']"):
        field.send_keys("9")
    browser.find_element(By.ID, "democracy-notes").send_keys("Công khai đủ nội dung; 4 hội nghị cộng đồng.")
    submit(browser, "submit-democracy")
    assert browser.find_element(By.ID, "democracy-status").text == "Đã gửi, chờ thẩm định"
    if commune == "Xã Tân Lập":
        logout(browser)
        login(browser, server, "lanhdao")
        browser.get(server + commune_path)
    browser.find_element(By.ID, "open-democracy-appraisal").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "appraisal-progress")))
    democracy_path = browser.current_url.replace(server, "")
    score(browser, server, democracy_path, 14)
    logout(browser)
    login(browser, server, "chuyenvien")
    score(browser, server, democracy_path, 13)
    logout(browser)
    login(browser, server, "lanhdao")
    browser.get(server + democracy_path)
    submit(browser, "close-appraisal")
    browser.get(server + commune_path)
    assert browser.find_element(By.ID, "democracy-class").text in ("Tốt", "Khá", "Trung bình", "Yếu")
    shot(browser, "emulation-democracy-appraised")

    # 10. A juried contest: a jury, two entries, one round, prizes, results public.
    jury = f"Ban giám khảo thử {token}"
    make_council(browser, server, jury, "contest", ["Lê Minh Đức", "Trần Thị Hồng Lĩnh"])
    browser.get(server + "/emulation/contests")
    open_step(browser, "new-contest")
    title = f"Cuộc thi viết thử {token}"
    browser.find_element(By.ID, "c-title").send_keys(title)
    Select(browser.find_element(By.ID, "c-council")).select_by_visible_text(jury)
    prizes = browser.find_element(By.ID, "c-prizes")
    prizes.clear()
    prizes.send_keys("Giải Nhất: 1\nGiải Nhì: 1")
    browser.find_element(By.ID, "create-contest").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "contest-title")))
    contest_path = browser.current_url.replace(server, "")
    # The entries come from a commune (the jury's own board would be in conflict).
    logout(browser)
    login(browser, server, "daumoi.tanlap")
    for entry, author in ((f"Con đường đồng thuận {token}", "Nguyễn Thị Thu"), (f"Người giữ bản {token}", "Lò Văn Pắng")):
        browser.get(server + contest_path)
        open_step(browser, "new-entry")
        browser.find_element(By.ID, "e-title").send_keys(entry)
        browser.find_element(By.ID, "e-author").send_keys(author)
        submit(browser, "save-entry")
    logout(browser)
    login(browser, server, "lanhdao")
    browser.get(server + contest_path)
    submit(browser, "open-round")
    sheets = [a.get_attribute("href").replace(server, "") for a in browser.find_elements(By.CSS_SELECTOR, "#entries a[href*='/emulation/appraisals/']")]
    assert len(sheets) == 2
    for user in ("lanhdao", "chuyenvien"):
        if user != "lanhdao":
            logout(browser)
            login(browser, server, user)
        for number, sheet in enumerate(sheets):
            score(browser, server, sheet, 30 if number == 0 else 9)
    logout(browser)
    login(browser, server, "lanhdao")
    for sheet in sheets:
        browser.get(server + sheet)
        submit(browser, "close-appraisal")
    browser.get(server + contest_path)
    submit(browser, "publish-contest")
    assert browser.find_element(By.ID, "contest-status").text == "Đã công bố kết quả"
    logout(browser)
    browser.get(server + contest_path.replace("/emulation/contests/", "/dan-van-kheo/cuoc-thi/"))
    results = wait(browser).until(EC.presence_of_element_located((By.ID, "contest-results"))).text
    assert "Giải Nhất" in results and f"Con đường đồng thuận {token}" in results
    shot(browser, "emulation-contest-results")
    assert not browser_errors(browser)
