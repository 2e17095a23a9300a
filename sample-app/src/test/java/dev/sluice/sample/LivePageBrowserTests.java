package dev.sluice.sample;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.sluice.registry.ConsumerSnapshot;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The live page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver} packages): it draws
 * a chart for every consumer and producer that the registry reports, with figures in units and rates, the real host
 * and port in its hint, and history that survives a reload. Skipped, with a message, where Chromium is not installed.
 */
@SampleAppTest
class LivePageBrowserTests {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static ChromeDriver browser;

    @Autowired
    private ProducerRegistry registry;

    @Autowired
    private RestTestClient client;

    @LocalServerPort
    private int port;

    @BeforeAll
    static void startBrowser() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Skipped: the live page test needs Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
                        + " (apt-get install -y chromium chromium-driver)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void thePageDrawsEveryConsumerAndProducerTheRegistryReports() {
        browser.get(base() + "/");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<ConsumerSnapshot> consumers = this.registry.consumers();
            List<ProducerSnapshot> producers = this.registry.producers();
            assertThat(consumers).extracting(ConsumerSnapshot::name).contains("firehoseConsumer");
            assertThat(producers).extracting(ProducerSnapshot::name).contains("firehoseProducer");
            for (ConsumerSnapshot consumer : consumers) {
                assertDrawn("consumers", consumer.name());
            }
            for (ProducerSnapshot producer : producers) {
                assertDrawn("producers", producer.name());
            }
        });
        // the context is shared with other tests, which may have stopped the firehose: draw what the registry says
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ConsumerSnapshot snapshot = this.registry.consumer("firehoseConsumer").orElseThrow();
            String consumer = card("consumers", "firehoseConsumer").getText();
            assertThat(consumer).containsPattern("buffered of 512 KiB")
                .containsPattern("sending [0-9.]+ (B|KiB|MiB)/s");
            if (snapshot.producer() != null) {
                assertThat(consumer).contains("producer " + snapshot.producer());
                String producer = card("producers", snapshot.producer()).getText();
                assertThat(producer).containsPattern("paused \\d+ % of the last second")
                    .containsPattern("[0-9.]+ pauses/s").contains("writes into firehoseConsumer");
            }
        });
        assertThat(browser.findElement(By.id("hint")).getText())
            .contains("curl -o /dev/null --limit-rate 100k http://localhost:" + this.port + "/files/");
        assertThat(browser.findElement(By.id("status")).getText()).startsWith("Updated ");
    }

    /**
     * Cards are in natural order of their names ({@code #2} before {@code #10}), and a long name wraps inside its card
     * instead of widening the page.
     */
    @Test
    void cardsAreInNaturalOrderAndLongNamesStayInside() {
        String longName = "card-order-test#z" + "x".repeat(180);
        List<ProducerRegistry.Registration> added = new java.util.ArrayList<>();
        try {
            for (String name : List.of("card-order-test#10", "card-order-test#2", "card-order-test#1", longName)) {
                dev.sluice.Sink<java.nio.ByteBuffer> takesAll = item -> true;
                added.add(this.registry.registerConsumer(name, dev.sluice.BufferedConsumer.builder(takesAll)
                    .name(name)
                    .weigher(dev.sluice.Weigher.bytes())
                    .build()));
            }
            browser.get(base() + "/");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(browser
                .findElements(By.cssSelector("#consumers .card"))
                .stream()
                .map(card -> card.getDomAttribute("data-name"))
                .filter(name -> name.startsWith("card-order-test"))
                .toList()).containsExactly("card-order-test#1", "card-order-test#2", "card-order-test#10", longName));
            Object overflow = ((JavascriptExecutor) browser).executeScript("""
                    const card = document.querySelector("#consumers .card[data-name='" + arguments[0] + "']");
                    return [card.scrollWidth - card.clientWidth,
                            document.documentElement.scrollWidth - document.documentElement.clientWidth];""",
                    longName);
            assertThat((List<?>) overflow).as("card and page overflow in pixels").allSatisfy(
                    pixels -> assertThat(((Number) pixels).longValue()).isLessThanOrEqualTo(0));
        }
        finally {
            added.forEach(ProducerRegistry.Registration::close);
        }
    }

    /**
     * The rate a download shows is what reaches its client, smoothed: a 100 KB/s client whose transfer is handed to
     * the socket in 3 MB bursts every 30 s reads about 100 KB/s, not "0 B/s" between the bursts; a steady flow reads
     * its plain rate, and a flow that stopped long ago falls towards zero.
     */
    @Test
    void theRateIsWhatReachesTheClientSmoothed() {
        browser.get(base() + "/");
        Object rates = ((JavascriptExecutor) browser).executeScript("""
                const bursts = [], steady = [], stopped = [];
                for (let s = 0; s <= 59; s++) {
                  bursts.push({ t: s * 1000, sent: 3000000 * (1 + Math.floor((s + 25) / 30)) });
                  steady.push({ t: s * 1000, sent: 50000 * s });
                }
                for (let s = 0; s <= 59; s++) stopped.push({ t: s * 1000, sent: s < 10 ? 50000 * s : 450000 });
                return [deliveredRate(bursts, "sent"), deliveredRate(steady, "sent"), deliveredRate(stopped, "sent")];""");
        List<?> figures = (List<?>) rates;
        assertThat(((Number) figures.get(0)).doubleValue()).as("bursts of 3 MB every 30 s").isCloseTo(100_000,
                org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(((Number) figures.get(1)).doubleValue()).as("steady 50 KB/s").isCloseTo(50_000,
                org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(((Number) figures.get(2)).doubleValue()).as("stopped after 10 s of 59").isLessThan(10_000);
    }

    @Test
    void historySurvivesAReload() {
        browser.get(base() + "/");
        await().atMost(Duration.ofSeconds(20)).until(() -> points("firehoseConsumer") >= 4);
        int before = points("firehoseConsumer");

        browser.navigate().refresh();

        await().atMost(Duration.ofSeconds(10)).until(() -> points("firehoseConsumer") > before);
    }

    @Test
    void theFaviconIsServed() {
        this.client.get().uri("/favicon.ico").exchange().expectStatus().isOk()
            .expectHeader().contentTypeCompatibleWith("image/x-icon");
        this.client.get().uri("/favicon.svg").exchange().expectStatus().isOk();
    }

    private void assertDrawn(String kind, String name) {
        WebElement card = card(kind, name);
        WebElement canvas = card.findElement(By.tagName("canvas"));
        assertThat(Integer.parseInt(canvas.getDomAttribute("data-points"))).as("points plotted for %s", name)
            .isGreaterThanOrEqualTo(1);
        Object painted = ((JavascriptExecutor) browser).executeScript("""
                const canvas = arguments[0];
                const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let painted = 0;
                for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
                return painted;""", canvas);
        assertThat(((Number) painted).longValue()).as("pixels painted for %s", name).isPositive();
    }

    private WebElement card(String kind, String name) {
        List<WebElement> found = browser.findElements(By.cssSelector("#" + kind + " .card[data-name='" + name + "']"));
        assertThat(found).as("a chart of %s %s", kind, name).hasSize(1);
        return found.get(0);
    }

    private int points(String consumer) {
        List<WebElement> canvas = browser
            .findElements(By.cssSelector("#consumers .card[data-name='" + consumer + "'] canvas[data-points]"));
        return canvas.isEmpty() ? 0 : Integer.parseInt(canvas.get(0).getDomAttribute("data-points"));
    }

    private String base() {
        return "http://localhost:" + this.port;
    }
}
