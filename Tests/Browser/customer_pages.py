"""An outside judge of the pages a car owner opens: Debian's Chromium, headless, at a phone's
width (360 px), driven by Selenium. Each step opens one page as the customer's link does,
reads what they would see, does what they would do with a thumb, and keeps a screenshot of
before and after. Run with and without JavaScript (without it nothing can be measured by
script, so the width check is skipped, and the signature is the typed name). Prints one JSON
object of what it saw; the Swift test that started it judges it.

    python3 customer_pages.py STEP URL ARTEFACT_DIR NAME [--no-javascript]

STEP is `report` (the form behind a shop's QR code, on to the tracking page), `rate` (a
finished job's tracking page), `approve` (extra work on the tracking page)
or `sign` (the signing page: draw, sign, then rate on the same page).
"""
import json
import signal
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.pointer_input import PointerInput
from selenium.common.exceptions import WebDriverException
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


def main_text(driver):
    return driver.find_element(By.TAG_NAME, "main").text


def wait_for(driver, text):
    """Waits for the page a form's post led to. While the old document is being replaced,
    Chromium answers a read of its `main` with an "unknown error" (node not in the document)
    rather than a stale-element error, so the wait retries on any driver error, not only those."""
    WebDriverWait(driver, 10, ignored_exceptions=(WebDriverException,)).until(
        expected_conditions.text_to_be_present_in_element((By.TAG_NAME, "main"), text))


def looks(driver, seen, javascript):
    seen["title"] = driver.find_element(By.TAG_NAME, "h1").text
    status = driver.find_elements(By.CLASS_NAME, "status")
    seen["status"] = status[0].text if status else None
    seen["text"] = main_text(driver)
    if javascript:
        seen["width"] = driver.execute_script("return window.innerWidth")
        seen["overflows"] = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth")


def report(driver, seen, shots):
    """The form behind a shop's QR code: a phone number mistyped, the page's word beside it,
    corrected, sent, and on to the new order's tracking page."""
    seen["form_title"] = seen["title"]
    submit = driver.find_element(By.XPATH, "//button[text()='提交报修']")
    seen["can_report"] = submit.is_displayed() and submit.is_enabled()
    driver.find_element(By.ID, "name").send_keys("林女士")
    driver.find_element(By.ID, "phone").send_keys("12345")
    driver.find_element(By.ID, "plate").send_keys("浙A88888")
    driver.find_element(By.ID, "description").send_keys("刹车时有异响")
    driver.find_element(By.ID, "f_mileage").send_keys("52000")
    shots("report")
    submit.click()
    wait_for(driver, "请填写 11 位手机号")
    seen["phone_problem"] = driver.find_element(By.ID, "phone-error").text
    seen["kept"] = driver.find_element(By.ID, "description").get_attribute("value")
    shots("report-problem")
    phone = driver.find_element(By.ID, "phone")
    phone.clear()
    phone.send_keys("13900139000")
    driver.find_element(By.XPATH, "//button[text()='提交报修']").click()
    wait_for(driver, "工单 ")
    looks(driver, seen, False)
    shots("reported")


def rate(driver, seen, shots):
    submit = driver.find_element(By.XPATH, "//button[text()='提交评价']")
    seen["can_rate"] = submit.is_displayed() and submit.is_enabled()
    shots("rating")
    driver.find_element(By.CSS_SELECTOR, "input[name=score][value='5']").click()
    driver.find_element(By.ID, "comment").send_keys("师傅很专业")
    submit.click()
    wait_for(driver, "感谢您的评价")
    seen["after"] = main_text(driver)
    seen["can_rate_after"] = len(driver.find_elements(By.XPATH, "//button[text()='提交评价']")) > 0
    shots("rated")


def approve(driver, seen, shots):
    button = driver.find_element(By.XPATH, "//button[text()='同意增项']")
    seen["can_approve"] = button.is_displayed() and button.is_enabled()
    seen["extra_total"] = driver.find_element(By.ID, "extra-total").text
    shots("extra-work")
    button.click()
    wait_for(driver, "您已同意")
    seen["after"] = main_text(driver)
    seen["can_approve_after"] = len(driver.find_elements(By.XPATH, "//button[text()='同意增项']")) > 0
    shots("approved")


def draw(driver, canvas):
    """A finger's stroke across the pad: a touch pointer, pressed, moved in a zigzag, lifted."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    finger = PointerInput(interaction.POINTER_TOUCH, "finger")
    actions = ActionBuilder(driver, mouse=finger)
    # Offsets from the pad's centre, inside its 160 px height and any phone's width.
    actions.pointer_action.move_to(canvas, -120, 0).pointer_down()
    for step in range(1, 9):
        actions.pointer_action.move_to(canvas, -120 + step * 30, 30 if step % 2 else -30)
    actions.pointer_action.pointer_up()
    actions.perform()


def sign(driver, seen, shots, javascript):
    seen["total"] = driver.find_element(By.ID, "total").text
    seen["photos_shown"] = driver.execute_script(
        "return [...document.images].filter(i => i.complete && i.naturalWidth > 0).length") if javascript else None
    submit = driver.find_element(By.XPATH, "//button[text()='确认签字']")
    seen["can_sign"] = submit.is_displayed() and submit.is_enabled()
    driver.find_element(By.ID, "signer_name").send_keys("林女士")
    driver.find_element(By.NAME, "agree").click()
    if javascript:
        # Sent with nothing drawn, the page stays and says why beside the pad.
        submit.click()
        seen["unsigned_problem"] = driver.find_element(By.ID, "signature-error").text
        draw(driver, driver.find_element(By.ID, "canvas"))
    else:
        seen["pad_shown"] = driver.find_element(By.ID, "pad").is_displayed()
    shots("signing")
    submit.click()
    wait_for(driver, "签字验收")
    seen["signed"] = driver.find_element(By.ID, "signed").text
    seen["can_sign_after"] = len(driver.find_elements(By.XPATH, "//button[text()='确认签字']")) > 0
    shots("signed")
    rate(driver, seen, shots)


def main():
    # A browser that hangs must not hold the suite: the test sees the failure instead.
    signal.alarm(90)
    step, url, artefacts, name = sys.argv[1:5]
    javascript = "--no-javascript" not in sys.argv
    driver = browser(javascript)
    driver.set_page_load_timeout(20)
    seen = {}

    def shots(moment):
        driver.save_screenshot(f"{artefacts}/{name}-{moment}.png")

    try:
        driver.get(url)
        looks(driver, seen, javascript)
        if step == "report":
            report(driver, seen, shots)
        elif step == "rate":
            rate(driver, seen, shots)
        elif step == "approve":
            approve(driver, seen, shots)
        elif step == "sign":
            sign(driver, seen, shots, javascript)
        else:
            raise SystemExit(f"unknown step {step}")
    finally:
        driver.quit()
    print(json.dumps(seen, ensure_ascii=False))


main()
