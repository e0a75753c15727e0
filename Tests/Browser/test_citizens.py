"""Real-browser test of the citizens' voice: a citizen sends online from a phone and keeps a
code; a clerk sees the duplicate hint on a like petition; the petition is accepted, resolved,
and reopened by the citizen; three land petitions in one commune raise a hot-spot warning; a
dialogue's commitment becomes a followed-up task; a second official cannot see a denouncer."""
import datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import browser_errors, login, logout, make_driver, pick_unit, shot, unique, wait


def today():
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()


def working_day(after_days):
    day = today() + datetime.timedelta(days=after_days)
    while day.weekday() >= 5 or (day.month, day.day) in ((1, 1), (4, 30), (5, 1), (9, 1), (9, 2)):
        day += datetime.timedelta(days=1)
    return day


def intake(browser, server, kind, commune, field, sender, summary, content, link_duplicate=False):
    """The clerk's intake form; returns the receipt's reference. Passes the duplicate hint
    (linking the first candidate as a repeat when asked)."""
    browser.get(server + "/citizens/petitions/new")
    Select(browser.find_element(By.ID, "p-kind")).select_by_value(kind)
    Select(browser.find_element(By.ID, "p-field")).select_by_value(field)
    Select(browser.find_element(By.ID, "p-commune")).select_by_visible_text(commune)
    browser.find_element(By.ID, "p-sender").send_keys(sender)
    browser.find_element(By.ID, "p-summary").send_keys(summary)
    browser.find_element(By.ID, "p-content").send_keys(content)
    browser.find_element(By.ID, "save-petition").click()
    wait(browser).until(lambda d: d.find_elements(By.ID, "receipt-code") or d.find_elements(By.ID, "duplicate-hint") or d.find_elements(By.CLASS_NAME, "field-error"))
    if browser.find_elements(By.ID, "duplicate-hint"):
        if link_duplicate:
            browser.find_element(By.CSS_SELECTOR, "#duplicate-hint input[name=repeat_of]").click()
        else:
            browser.find_element(By.ID, "not-duplicate").click()
        browser.find_element(By.ID, "save-petition").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "receipt-code")))
    return browser.find_element(By.ID, "receipt-reference").text


def open_petition(browser, server, token):
    browser.get(server + "/citizens?status=all&q=" + token)
    wait(browser).until(EC.presence_of_element_located((By.ID, "petition-table")))
    browser.find_element(By.CSS_SELECTOR, "#petition-table a").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "petition-status")))


def do_step(browser, step, fields=None):
    browser.find_element(By.CSS_SELECTOR, f"#step-{step} summary").click()
    for field_id, text in (fields or {}).items():
        element = browser.find_element(By.ID, field_id)
        element.clear()
        element.send_keys(text)
    browser.find_element(By.ID, f"do-{step}").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash-success, #petition-error")))
    assert not browser.find_elements(By.ID, "petition-error"), browser.find_element(By.ID, "petition-error").text


def test_citizen_petition_duplicate_reopen_warning_commitment_and_protected_denouncer(server, browser):
    token = "Mường" + unique("x")
    # 1. A citizen sends a petition from a phone and keeps the code.
    phone = make_driver(390, 844, mobile=True)
    try:
        phone.get(server + "/gop-y")
        Select(phone.find_element(By.ID, "c-kind")).select_by_value("petition")
        phone.find_element(By.ID, "c-name").send_keys("Lò Văn Phong")
        phone.find_element(By.ID, "c-contact").send_keys("0912 111 222")
        Select(phone.find_element(By.ID, "c-commune")).select_by_visible_text("Xã Mường Lạn")
        Select(phone.find_element(By.ID, "c-field")).select_by_value("land")
        phone.find_element(By.ID, "c-summary").send_keys(f"Đề nghị giải quyết tranh chấp đất nương rẫy bản Nà Hạ {token}")
        phone.find_element(By.ID, "c-content").send_keys("Hai hộ tranh chấp ranh giới đất nương rẫy ở bản Nà Hạ, hòa giải ở bản không thành.")
        assert phone.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        phone.find_element(By.ID, "send-petition").click()
        wait(phone).until(EC.presence_of_element_located((By.ID, "receipt-code")))
        code = phone.find_element(By.ID, "receipt-code").text
        citizen_reference = phone.find_element(By.ID, "receipt-reference").text
        assert len(code.replace("-", "")) == 12
        shot(phone, "citizens-receipt-phone")
        assert not browser_errors(phone)
    finally:
        phone.quit()

    # 2. The clerk enters a like petition: the hint shows the citizen's, linked as a repeat.
    login(browser, server, "chuyenvien")
    browser.get(server + "/citizens/petitions/new")
    Select(browser.find_element(By.ID, "p-kind")).select_by_value("petition")
    Select(browser.find_element(By.ID, "p-field")).select_by_value("land")
    Select(browser.find_element(By.ID, "p-commune")).select_by_visible_text("Xã Mường Lạn")
    browser.find_element(By.ID, "p-sender").send_keys("Lò Thị Xuân")
    browser.find_element(By.ID, "p-summary").send_keys(f"Tranh chấp ranh giới đất nương rẫy ở bản Nà Hạ {token}")
    browser.find_element(By.ID, "p-content").send_keys("Gia đình bà Xuân tranh chấp đất nương rẫy với hộ liền kề ở bản Nà Hạ.")
    browser.find_element(By.ID, "save-petition").click()
    hint = wait(browser).until(EC.presence_of_element_located((By.ID, "duplicate-hint")))
    assert citizen_reference in hint.text
    assert browser.find_element(By.ID, "p-sender").get_attribute("value") == "Lò Thị Xuân", "the typed data stays"
    shot(browser, "citizens-duplicate-hint")
    next(box for box in browser.find_elements(By.CSS_SELECTOR, "#duplicate-hint input[name=repeat_of]") if box.get_attribute("value")).click()
    browser.find_element(By.ID, "save-petition").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "receipt-code")))

    # 3. The citizen's petition is accepted and resolved with a public answer.
    browser.get(server + "/citizens?status=all&q=" + token)
    wait(browser).until(EC.presence_of_element_located((By.ID, "petition-table")))
    link = next(a for a in browser.find_elements(By.CSS_SELECTOR, "#petition-table a") if a.text == citizen_reference)
    link.click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "petition-status")))
    do_step(browser, "accept")
    assert browser.find_element(By.ID, "resolve-due").text
    do_step(browser, "resolve", {"decision-resolve": "Văn bản số 15/UBND", "result-resolve": "Đã đo đạc, cắm mốc lại ranh giới.", "answer-resolve": "Xã đã đo đạc và cắm mốc lại ranh giới giữa hai hộ."})
    shot(browser, "citizens-petition-resolved")

    # 4. The citizen looks up the code and says it is not solved: the petition reopens.
    citizen = make_driver(390, 844, mobile=True)
    try:
        citizen.get(server + "/tra-cuu")
        citizen.find_element(By.ID, "l-code").send_keys(code.lower())
        citizen.find_element(By.ID, "lookup").click()
        wait(citizen).until(EC.presence_of_element_located((By.ID, "satisfied-form")))
        assert "cắm mốc lại ranh giới" in citizen.find_element(By.ID, "public-answer").text
        citizen.find_element(By.ID, "satisfied-no").click()
        citizen.find_element(By.ID, "s-comment").send_keys("Hộ bên cạnh đã nhổ mốc.")
        citizen.find_element(By.ID, "send-answer").click()
        wait(citizen).until(EC.presence_of_element_located((By.ID, "status-message")))
        assert citizen.find_element(By.ID, "public-status").text == "Đang giải quyết"
        shot(citizen, "citizens-status-reopened")
    finally:
        citizen.quit()

    # 5. A third land petition in the commune: the board's warning lists them as evidence.
    intake(browser, server, "complaint", "Xã Mường Lạn", "land", "Quàng Văn Ơn", f"Khiếu nại việc cấp đất rừng sản xuất {token}",
           "Ông Ơn khiếu nại việc xã cấp đất rừng sản xuất chồng lấn lên diện tích gia đình đang canh tác.")
    browser.get(server + "/hotspots")
    warnings = wait(browser).until(EC.presence_of_element_located((By.ID, "warnings")))
    article = next(a for a in warnings.find_elements(By.TAG_NAME, "article") if token in a.text)
    assert "Mường Lạn" in article.text and "Đất đai" in article.text
    assert browser.find_element(By.ID, "risk-table")
    shot(browser, "citizens-warning")

    # 6. A dialogue's commitment becomes a followed-up task.
    promise = f"Đo đạc, cắm mốc lại đất nương rẫy bản Nà Hạ {token}"
    browser.get(server + "/citizens/meetings/new")
    Select(browser.find_element(By.ID, "m-kind")).select_by_value("dialogue")
    browser.find_element(By.ID, "m-host").send_keys("Chủ tịch UBND xã Mường Lạn")
    Select(browser.find_element(By.ID, "m-role")).select_by_value("communeChair")
    Select(browser.find_element(By.ID, "m-commune")).select_by_visible_text("Xã Mường Lạn")
    browser.find_element(By.ID, "m-place").send_keys("Nhà văn hóa bản Nà Hạ")
    browser.find_element(By.ID, "m-participants").send_keys("38")
    browser.find_element(By.ID, "m-petitions").send_keys(citizen_reference)
    browser.find_element(By.ID, "c-content-0").send_keys(promise)
    pick_unit(browser, "c-unit-0", "Mường Lạn", "Xã Mường Lạn")
    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, "c-due-0"), working_day(14).isoformat())
    browser.find_element(By.ID, "save-meeting").click()
    table = wait(browser).until(EC.presence_of_element_located((By.ID, "commitment-table")))
    assert promise in table.text
    shot(browser, "citizens-dialogue")
    table.find_element(By.CSS_SELECTOR, "a[id^=followup-]").click()
    wait(browser).until(lambda d: promise in d.find_element(By.TAG_NAME, "main").text)
    assert "/tasks/" in browser.current_url

    # 7. A denunciation: the handler opens the denouncer, the other official of the commune cannot.
    browser.get(server + "/citizens/petitions/new")
    Select(browser.find_element(By.ID, "p-kind")).select_by_value("denunciation")
    Select(browser.find_element(By.ID, "p-field")).select_by_value("officials")
    Select(browser.find_element(By.ID, "p-commune")).select_by_visible_text("Xã Tân Lập")
    secret = "Người Tố Cáo " + token
    browser.find_element(By.ID, "p-sender").send_keys(secret)
    browser.find_element(By.ID, "p-summary").send_keys(f"Tố cáo cán bộ thu tiền sai quy định {token}")
    browser.find_element(By.ID, "p-content").send_keys("Cán bộ thu tiền sai quy định khi xác nhận hồ sơ.")
    pick_unit(browser, "p-unit", "Tân Lập", "Xã Tân Lập")
    Select(browser.find_element(By.ID, "p-handler")).select_by_visible_text("Hoàng Văn Bình — Xã Tân Lập")
    browser.find_element(By.ID, "save-petition").click()
    wait(browser).until(lambda d: d.find_elements(By.ID, "receipt-code") or d.find_elements(By.ID, "duplicate-hint"))
    if browser.find_elements(By.ID, "duplicate-hint"):
        browser.find_element(By.ID, "not-duplicate").click()
        browser.find_element(By.ID, "save-petition").click()
        wait(browser).until(EC.presence_of_element_located((By.ID, "receipt-code")))
    logout(browser)
    login(browser, server, "lanhdao.xa")
    open_petition(browser, server, token + "&kind=denunciation")
    assert browser.find_element(By.ID, "identity-hidden")
    assert secret not in browser.page_source
    logout(browser)
    login(browser, server, "daumoi.tanlap")
    open_petition(browser, server, token + "&kind=denunciation")
    browser.find_element(By.ID, "open-identity").click()
    shown = wait(browser).until(EC.presence_of_element_located((By.ID, "identity-name")))
    assert shown.text == secret
    shot(browser, "citizens-identity-handler")
    assert not browser_errors(browser)
