package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.osms.it.AdminCredentials;
import org.osms.it.AdminEndpoint;

/**
 * An operator signs in to the Admin Center in a real browser (Debian's chromium, driven by its chromedriver) on the
 * admin endpoint, and the Explore tool shows the OSMS application started. The screenshot is kept in
 * target/screenshots/admin-center.png. Skipped with a message without chromium and chromedriver unless
 * OSMS_REQUIRE_BROWSER=1 (CI sets it).
 */
class AdminCenterBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofMinutes(2);
    /** The card of the application osms (not the server osms-it-h2, nor a test deployment) showing it running. */
    private static final Pattern STARTED_OSMS = Pattern.compile("(?m)^\\s*osms\\s*\\R\\s*Running\\s*$");

    @Test
    void theOperatorSignsInAndSeesOsmsStarted() throws Exception {
        requireBrowser();
        AdminEndpoint admin = AdminEndpoint.fromSystemProperties();
        AdminCredentials credentials = AdminCredentials.fromSystemProperty();
        Path profile = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // as root in a container: no sandbox; nothing of Google's services; the server's self-signed certificate is
        // accepted by this browser only, which reaches nothing but this server on loopback
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--ignore-certificate-errors", "--window-size=1400,900",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        WebDriver browser = new ChromeDriver(service, options);
        try {
            WebDriverWait wait = new WebDriverWait(browser, WAIT);
            browser.get(admin.base() + "/adminCenter/");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("j_username")))
                    .sendKeys(credentials.user());
            browser.findElement(By.id("j_password")).sendKeys(credentials.password());
            wait.until(ExpectedConditions.elementToBeClickable(By.id("loginButton"))).click();
            wait.until(ExpectedConditions.urlContains("/adminCenter/"));
            // the sign-in cookie goes over TLS only, not to scripts, and not with a request another site starts
            org.openqa.selenium.Cookie signedIn = browser.manage().getCookieNamed("LtpaToken2");
            assertNotNull(signedIn, "signed in: cookies " + browser.manage().getCookies().stream()
                    .map(org.openqa.selenium.Cookie::getName).toList());
            assertTrue(signedIn.isSecure() && signedIn.isHttpOnly(), "LtpaToken2 is Secure and HttpOnly");
            for (org.openqa.selenium.Cookie c : browser.manage().getCookies()) {
                // never the values in a message: they are the operator's credentials
                if (c.isHttpOnly()) { // the server's own (Admin Center's scripts keep preferences in others)
                    assertEquals("Strict", c.getSameSite(), "SameSite of " + c.getName());
                    assertTrue(c.isSecure(), c.getName() + " is Secure");
                }
            }
            browser.get(admin.base() + "/adminCenter/#explore/apps");
            // the Explore tool draws in its own frame: a card per application, its name then its state
            String[] seen = new String[1];
            try {
                wait.until(d -> {
                    seen[0] = toolText(d);
                    return STARTED_OSMS.matcher(seen[0]).find();
                });
            } finally {
                Path shot = Path.of("target/screenshots/admin-center.png");
                Files.createDirectories(shot.getParent());
                File png = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
                Files.copy(png.toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
            }
            assertTrue(STARTED_OSMS.matcher(seen[0]).find(), seen[0]);
        } finally {
            browser.quit();
            service.stop();
        }
    }

    /** The text of every frame of the page, the tools' frames included. */
    private static String toolText(WebDriver d) {
        StringBuilder text = new StringBuilder();
        d.switchTo().defaultContent();
        for (WebElement frame : d.findElements(By.tagName("iframe"))) {
            d.switchTo().frame(frame);
            text.append(((ChromeDriver) d).executeScript("return document.body ? document.body.innerText : ''"))
                    .append('\n');
            d.switchTo().defaultContent();
        }
        return text.toString();
    }

    private static void requireBrowser() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        if ("1".equals(System.getenv("OSMS_REQUIRE_BROWSER"))) {
            throw new AssertionError("OSMS_REQUIRE_BROWSER=1 but chromium or chromium-driver is not installed");
        }
        Assumptions.abort("chromium and chromium-driver are not installed (apt-get install chromium"
                + " chromium-driver): the Admin Center browser check is skipped; OSMS_REQUIRE_BROWSER=1 makes it"
                + " mandatory.");
    }
}
