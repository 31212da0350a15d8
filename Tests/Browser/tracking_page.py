"""An outside judge of the customer's tracking page: Debian's Chromium, headless, at a phone's
width (360 px), driven by Selenium. Opens the page, reads what a customer would see, rates the
job through the page's form, and keeps a screenshot of each step. Run with and without
JavaScript (without it, nothing can be measured by script, so the width check is skipped). Prints one JSON object of what it saw; the Swift test that started it judges it.

    python3 tracking_page.py URL ARTEFACT_DIR NAME [--no-javascript]
"""
import json
import signal
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait


def browser(javascript):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=zh-CN"):
        options.add_argument(argument)
    if javascript:
        # A phone's screen: 360 CSS pixels wide, as most Android phones in China report.
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2.0}})
    else:
        # Chromium's phone emulation hangs the driver when scripts are off: a 360 px window instead.
        options.add_argument("--window-size=360,800")
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    # The driver Debian ships beside its Chromium: nothing is downloaded.
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def main():
    # A browser that hangs must not hold the suite: the test sees the failure instead.
    signal.alarm(90)
    url, artefacts, name = sys.argv[1], sys.argv[2], sys.argv[3]
    javascript = "--no-javascript" not in sys.argv
    driver = browser(javascript)
    driver.set_page_load_timeout(20)
    seen = {}
    try:
        driver.get(url)
        seen["title"] = driver.find_element(By.TAG_NAME, "h1").text
        seen["status"] = driver.find_element(By.CLASS_NAME, "status").text
        seen["text"] = driver.find_element(By.TAG_NAME, "main").text
        if javascript:
            seen["width"] = driver.execute_script("return window.innerWidth")
            seen["overflows"] = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth")
        submit = driver.find_element(By.CSS_SELECTOR, "form button[type=submit]")
        seen["can_rate"] = submit.is_displayed() and submit.is_enabled()
        driver.save_screenshot(f"{artefacts}/{name}-before.png")
        # A tap on "5 星", a comment, and the button: as a thumb would.
        driver.find_element(By.CSS_SELECTOR, "input[name=score][value='5']").click()
        driver.find_element(By.ID, "comment").send_keys("师傅很专业")
        submit.click()
        WebDriverWait(driver, 10).until(expected_conditions.text_to_be_present_in_element((By.TAG_NAME, "main"), "感谢您的评价"))
        seen["after"] = driver.find_element(By.TAG_NAME, "main").text
        seen["can_rate_after"] = len(driver.find_elements(By.CSS_SELECTOR, "form")) > 0
        driver.save_screenshot(f"{artefacts}/{name}-after.png")
    finally:
        driver.quit()
    print(json.dumps(seen, ensure_ascii=False))


main()
