"""Real-browser tests of the web shell: each demo role, navigation, scope, forms, phone layout."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import browser_errors, login, logout, shot, wait

ROLES = [
    ("admin", "Quản trị", "Nhật ký"),
    ("lanhdao", "Lãnh đạo", None),
    ("chuyenvien", "Chuyên viên Ban Dân vận", None),
    ("daumoi", "Cán bộ đầu mối", None),
]


@pytest.mark.parametrize("username,role_label,extra_nav", ROLES)
def test_each_role_logs_in_and_walks_the_navigation(server, browser, username, role_label, extra_nav):
    login(browser, server, username)
    assert "Xin chào" in browser.find_element(By.TAG_NAME, "h1").text
    assert role_label in browser.find_element(By.CLASS_NAME, "role-badge").text
    assert "Bản trình diễn" in browser.find_element(By.CLASS_NAME, "demo-banner").text
    shot(browser, f"home-{username}")
    links = [(a.text, a.get_attribute("href")) for a in browser.find_elements(By.CSS_SELECTOR, "nav.mainnav a")]
    labels = [label for label, _ in links]
    assert {"Đơn vị", "Người dùng", "Văn bản", "Nhiệm vụ", "Báo cáo", "Dân vận khéo", "Cuộc thi", "Đơn thư – Đối thoại", "Điểm nóng"} <= set(labels)
    assert (extra_nav in labels) if extra_nav else ("Nhật ký" not in labels)
    # Every module the navigation names has landed: nothing is announced as coming.
    assert not browser.find_elements(By.CSS_SELECTOR, "nav.mainnav .nav-soon")
    for label, href in links:
        browser.get(href)
        heading = browser.find_element(By.TAG_NAME, "h1").text
        assert heading, f"{label} has a heading"
        assert "Có lỗi xảy ra" not in browser.page_source, f"{label} ({href}) rendered an error page"
        current = browser.find_element(By.CSS_SELECTOR, "nav.mainnav a.active").text
        assert current == label
    browser.get(server + "/units")
    shot(browser, f"units-{username}")
    assert browser_errors(browser) == []
    logout(browser)


def test_focal_point_is_kept_inside_its_own_unit(server, browser):
    # A provincial leader finds the sibling commune's page.
    login(browser, server, "lanhdao")
    browser.get(server + "/units?q=tan+lap")
    sibling = browser.find_element(By.LINK_TEXT, "Xã Tân Lập").get_attribute("href")
    logout(browser)
    # The ward's focal point cannot open it, nor the administration pages.
    login(browser, server, "daumoi")
    browser.get(sibling)
    assert "Không tìm thấy trang hoặc bản ghi" in browser.find_element(By.ID, "error-message").text
    assert "Tân Lập" not in browser.page_source
    browser.get(server + "/admin/audit")
    assert browser.find_element(By.CLASS_NAME, "error-code").text == "403"
    assert "Bạn không có quyền truy cập trang này." in browser.page_source
    shot(browser, "forbidden-daumoi")
    browser.get(server + "/units")
    rows = browser.find_elements(By.CSS_SELECTOR, "#unit-table tbody tr")
    assert len(rows) == 8
    assert "Xã Tân Lập" not in browser.page_source


def test_wrong_password_keeps_the_username(server, browser):
    browser.get(server + "/login")
    browser.find_element(By.ID, "username").send_keys("chuyenvien")
    browser.find_element(By.ID, "password").send_keys("khong-dung")
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    error = wait(browser).until(EC.presence_of_element_located((By.ID, "login-error")))
    assert "không đúng" in error.text
    assert browser.find_element(By.ID, "username").get_attribute("value") == "chuyenvien"


def test_admin_form_keeps_input_and_shows_the_message_beside_the_field(server, browser):
    login(browser, server, "admin")
    browser.get(server + "/units/new")
    browser.find_element(By.ID, "name").send_keys("Phường Thử Nghiệm")
    browser.find_element(By.ID, "shortName").send_keys("PTN")
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    error = wait(browser).until(EC.presence_of_element_located((By.ID, "code-error")))
    assert error.text == "Bắt buộc nhập."
    assert browser.find_element(By.ID, "name").get_attribute("value") == "Phường Thử Nghiệm"
    assert browser.find_element(By.ID, "shortName").get_attribute("value") == "PTN"
    shot(browser, "unit-form-error")
    browser.find_element(By.ID, "code").send_keys("P-TN")
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Phường Thử Nghiệm"))
    assert "Đã lưu đơn vị." in browser.page_source
    browser.get(server + "/admin/audit?entity=unit&action=create")
    assert "Tạo đơn vị Phường Thử Nghiệm" in browser.page_source
    shot(browser, "audit-admin")


def test_phone_layout_folds_the_menu(server, phone):
    login(phone, server, "daumoi")
    nav = phone.find_element(By.CSS_SELECTOR, "nav.mainnav")
    toggle = phone.find_element(By.CSS_SELECTOR, "label.nav-toggle-label")
    assert toggle.is_displayed()
    assert not nav.is_displayed()
    shot(phone, "phone-home-closed")
    toggle.click()
    assert nav.is_displayed()
    assert phone.execute_script("return window.innerWidth") == 390
    width = phone.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "no horizontal scrolling on a phone"
    shot(phone, "phone-home-menu")
    phone.find_element(By.LINK_TEXT, "Đơn vị").click()
    wait(phone).until(EC.presence_of_element_located((By.ID, "unit-table")))
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390
    shot(phone, "phone-units")
