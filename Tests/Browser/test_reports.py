"""Real-browser test of the reporting cycle: a regime, a commune's report submitted, returned,
resubmitted and accepted; one unit late and one missing; the live consolidation downloaded as
Word and read back as PDF text."""
import datetime
import pathlib
import subprocess
import tempfile
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import browser_errors, chips, login, logout, pick_unit, shot, unique, wait


def fill_report(browser, values, texts):
    for key, text in texts.items():
        area = browser.find_element(By.ID, "text-" + key)
        area.clear()
        area.send_keys(text)
    for field in browser.find_elements(By.CSS_SELECTOR, "input[name^='value.']"):
        key = field.get_attribute("name")[len("value."):]
        if key in values:
            field.clear()
            field.send_keys(values[key])
        elif field.get_attribute("value") == "":
            field.send_keys("2")
    browser.find_element(By.ID, "submit-report").click()


def my_request_link(browser, server, regime, ad_hoc):
    browser.get(server + "/reports")
    wait(browser).until(EC.presence_of_element_located((By.ID, "my-requests")))
    for link in browser.find_elements(By.CSS_SELECTOR, "#my-requests a"):
        if regime in link.text and (("Từ " in link.text) == ad_hoc):
            return link.get_attribute("href")
    raise AssertionError(f"no request of {regime} in {browser.find_element(By.ID, 'my-requests').text}")


def pdf_text(data, suffix):
    folder = pathlib.Path(tempfile.mkdtemp(prefix="danvan-office-"))
    source = folder / f"file{suffix}"
    source.write_bytes(data)
    subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    subprocess.run(["pdftotext", "-layout", str(folder / "file.pdf"), str(folder / "file.txt")], check=True, timeout=60)
    return (folder / "file.txt").read_text(encoding="utf-8")


def test_reporting_cycle_with_return_late_missing_and_word_export(server, browser):
    number = unique()
    regime = "Báo cáo nhanh tình hình " + number
    # The specialist sets up a monthly regime for three communes.
    login(browser, server, "chuyenvien")
    browser.get(server + "/reports/regimes/new")
    browser.find_element(By.ID, "regime-name").send_keys(regime)
    browser.find_element(By.ID, "regime-content").send_keys("Tình hình nhân dân, vấn đề bức xúc, số liệu theo biểu.")
    Select(browser.find_element(By.ID, "regime-frequency")).select_by_value("month")
    Select(browser.find_element(By.NAME, "audience")).select_by_value("list")
    for query, name in (("hoa lac", "Phường Hòa Lạc"), ("tan lap", "Xã Tân Lập"), ("dong son", "Phường Đông Sơn")):
        pick_unit(browser, "regime-units", query, name)
    pick_unit(browser, "regime-receiving", "tuyen giao", "Ban Tuyên giáo và Dân vận Tỉnh ủy")
    Select(browser.find_element(By.ID, "regime-template")).select_by_value("tinh-hinh-thang")
    deadline = browser.find_element(By.ID, "deadline-commune")
    deadline.clear()
    deadline.send_keys("1")
    browser.find_element(By.ID, "regime-ahead").clear()
    browser.find_element(By.ID, "regime-ahead").send_keys("1")
    browser.find_element(By.ID, "create-regime").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "regime-name"), regime))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#periods tbody tr")) == 1
    regime_page = browser.current_url
    # An ad hoc request whose deadline has passed: one unit will be late, one missing.
    # Dates in the province's time (UTC+7), as the server counts them.
    today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()
    browser.find_element(By.CSS_SELECTOR, "details summary").click()
    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, "adhoc-start"), (today - datetime.timedelta(days=20)).isoformat())
    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, "adhoc-cutoff"), (today - datetime.timedelta(days=6)).isoformat())
    browser.find_element(By.ID, "adhoc-questions").send_keys("Tình hình an ninh nông thôn\nKiến nghị của cử tri")
    browser.find_element(By.CSS_SELECTOR, "#adhoc-form button[type=submit]").click()
    wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#periods tbody tr")) == 2)
    logout(browser)

    # The ward's focal point fills the monthly report on time and submits it.
    login(browser, server, "daumoi")
    monthly = my_request_link(browser, server, regime, ad_hoc=False)
    browser.get(monthly)
    wait(browser).until(EC.presence_of_element_located((By.ID, "report-form")))
    fill_report(browser, {"petitions_received": "10", "petitions_resolved": "12", "resolved_rate": "80", "hotspot": "0"},
                {"situation": "Nhân dân phấn khởi đón Tết.", "results": "Tổ chức 2 cuộc đối thoại về giải phóng mặt bằng."})
    # The rule "resolved ≤ received" is broken: refused, the typed text kept.
    wait(browser).until(EC.presence_of_element_located((By.ID, "error-petitions_resolved")))
    assert "Nhân dân phấn khởi đón Tết." in browser.find_element(By.ID, "text-situation").get_attribute("value")
    fill_report(browser, {"petitions_resolved": "8"}, {})
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "report-status"), "Đã gửi"))
    assert browser.find_element(By.ID, "report-timeliness").text == "Đúng hạn"
    shot(browser, "report-submitted")
    logout(browser)

    # The specialist returns it with a comment.
    login(browser, server, "chuyenvien")
    browser.get(monthly)
    browser.find_element(By.ID, "review-comment").send_keys("Đề nghị nêu rõ địa bàn đối thoại.")
    browser.find_element(By.ID, "return-report").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "report-status"), "Bị trả lại"))
    logout(browser)

    # Resubmitted with the change…
    login(browser, server, "daumoi")
    browser.get(monthly)
    wait(browser).until(EC.presence_of_element_located((By.ID, "review-comment-shown")))
    assert "địa bàn đối thoại" in browser.find_element(By.ID, "review-comment-shown").text
    fill_report(browser, {}, {"results": "Tổ chức 2 cuộc đối thoại tại khu phố Hòa Bình về giải phóng mặt bằng."})
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "report-status"), "Đã gửi"))
    logout(browser)

    # … and the commune of Tân Lập answers the ad hoc request late.
    login(browser, server, "daumoi.tanlap")
    browser.get(my_request_link(browser, server, regime, ad_hoc=True))
    wait(browser).until(EC.presence_of_element_located((By.ID, "questions")))
    fill_report(browser, {"petitions_received": "4", "petitions_resolved": "4", "resolved_rate": "100", "hotspot": "0"},
                {"situation": "An ninh nông thôn ổn định.", "results": "Cử tri kiến nghị sửa đường liên thôn."})
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "report-timeliness"), "Muộn 5 ngày"))
    logout(browser)

    # The specialist accepts the resubmission, reads the timeliness table and consolidates.
    login(browser, server, "chuyenvien")
    browser.get(monthly)
    wait(browser).until(EC.presence_of_element_located((By.ID, "review-form")))
    assert "đã sửa" in browser.find_element(By.ID, "report-view").text
    browser.find_element(By.ID, "accept-report").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "report-status"), "Đã tiếp nhận"))
    browser.get(regime_page)
    browser.find_element(By.ID, "compliance-link").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "compliance")))
    rows = {row.find_elements(By.TAG_NAME, "td")[1].text: row.text for row in browser.find_elements(By.CSS_SELECTOR, "#compliance tbody tr")}
    assert "Muộn 5 ngày" in rows["Xã Tân Lập"]
    assert "Quá hạn, chưa gửi" in rows["Phường Đông Sơn"]
    assert "Đúng hạn" in rows["Phường Hòa Lạc"]
    shot(browser, "report-compliance")
    browser.get(regime_page)
    period = [link for link in browser.find_elements(By.CSS_SELECTOR, "#periods a") if "Tháng" in link.text][0]
    period.click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "consolidated")))
    assert browser.find_element(By.ID, "coverage").text.startswith("1/3")
    received = browser.find_element(By.CSS_SELECTOR, "#consolidated tr[data-key='petitions_received'] td.current").text
    assert received == "10"
    shot(browser, "report-consolidation")
    # The refused submission above answered 422 on purpose; nothing else may be in the console.
    assert [e for e in browser_errors(browser) if "422 (Unprocessable Entity)" not in e["message"]] == []
    # The Word file, downloaded with the browser's session, read back as PDF text.
    href = browser.find_element(By.ID, "consolidation-docx").get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookies}), timeout=60) as response:
        assert "wordprocessingml" in response.headers["Content-Type"]
        text = pdf_text(response.read(), ".docx")
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    # The subject line: the regime's name without "Báo cáo", then the period.
    assert "BÁO CÁO" in text and ("Nhanh tình hình " + number + " tháng") in " ".join(text.split())
    assert "Số đơn thư tiếp nhận" in text
    assert "khu phố Hòa Bình" in text
    logout(browser)


def test_a_ward_fills_its_report_on_a_phone(server, phone):
    # The demo leaves this month open for Hòa Lạc's focal point.
    login(phone, server, "daumoi")
    phone.get(server + "/reports")
    wait(phone).until(EC.presence_of_element_located((By.ID, "my-requests")))
    link = phone.find_elements(By.CSS_SELECTOR, "#my-requests a")[0].get_attribute("href")
    phone.get(link)
    wait(phone).until(EC.presence_of_element_located((By.ID, "report-form")))
    # The page fits the screen: only the indicator table scrolls inside its own box.
    width, viewport = phone.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport + 1, (width, viewport)
    field = phone.find_element(By.CSS_SELECTOR, "input[name^='value.']")
    assert field.get_attribute("inputmode") in ("numeric", "decimal")
    shot(phone, "phone-report-form")


def test_the_quarterly_briefing_notice_becomes_next_quarters_tasks(server, browser):
    # The demo's quarterly regime of the Front and the organisations, its last closed quarter.
    login(browser, server, "chuyenvien")
    browser.get(server + "/reports")
    browser.find_element(By.LINK_TEXT, "Báo cáo phục vụ hội nghị trực báo quý").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "periods")))
    quarters = browser.find_elements(By.CSS_SELECTOR, "#periods tbody tr a")
    quarters[1].click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "notice-form")))
    assert "II. NHIỆM VỤ QUÝ TỚI" in browser.find_element(By.ID, "notice-text").get_attribute("value")
    browser.find_element(By.ID, "notice-register").click()
    # The registration's own preview: the notice's two assignments with their units matched.
    wait(browser).until(EC.presence_of_element_located((By.ID, "confirm-registration")))
    assert "Nhiệm vụ đề xuất (2)" in browser.page_source
    assert chips(browser, "leads-0") == ["Ủy ban MTTQ Việt Nam tỉnh"]
    assert chips(browser, "leads-1") == ["Ban Tuyên giáo và Dân vận Tỉnh ủy"]
    symbol = unique() + "-TB/BTGDVTU"
    field = browser.find_element(By.ID, "symbol")
    field.clear()
    field.send_keys(symbol)
    browser.find_element(By.ID, "confirm-registration").click()
    wait(browser, 60).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), symbol))
    assert "giao 2 nhiệm vụ" in browser.page_source
    shot(browser, "briefing-notice-registered")
    browser.get(server + "/tasks?q=don+doc+cac+don+vi+gui+bao+cao")
    assert "đôn đốc các đơn vị gửi báo cáo đúng hạn" in browser.find_element(By.ID, "task-table").text
    logout(browser)
