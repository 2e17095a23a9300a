package dev.sluice.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Starts applications from an {@code application.yml} as a user would, and returns the failure report that Spring Boot
 * printed when start-up fails. Every report is checked to have one "Action:" with an action under it.
 */
public final class StartupReports {

    private StartupReports() {
    }

    /**
     * Starts a non-web application with {@code yaml} (written to {@code dir}) as its only configuration file and
     * {@code sources}, expects start-up to fail, and returns the report from "APPLICATION FAILED TO START" on.
     */
    public static String startupFailure(CapturedOutput output, Path dir, String yaml, Class<?>... sources) {
        SpringApplication application = application(sources);
        int before = output.getOut().length();
        assertThatException().isThrownBy(() -> application.run(location(dir, yaml)));
        String printed = output.getOut().substring(before);
        assertThat(printed).as("Spring Boot's failure report").contains("APPLICATION FAILED TO START");
        String report = printed.substring(printed.indexOf("APPLICATION FAILED TO START"));
        assertOneAction(report);
        return report;
    }

    /** Starts a non-web application with {@code yaml} as its only configuration file; it must start. */
    public static ConfigurableApplicationContext start(Path dir, String yaml, Class<?>... sources) {
        return application(sources).run(location(dir, yaml));
    }

    /** The report prints "Action:" once, followed by a line that says what to do. */
    static void assertOneAction(String report) {
        String[] parts = report.split("\\R\\s*Action:\\s*\\R", -1);
        assertThat(parts).as("one Action: in %s", report).hasSize(2);
        assertThat(parts[1].strip()).as("the action in %s", report).isNotEmpty().doesNotStartWith("Action:");
    }

    private static SpringApplication application(Class<?>... sources) {
        SpringApplication application = new SpringApplication(sources);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        return application;
    }

    private static String location(Path dir, String yaml) {
        Path file = dir.resolve("application.yml");
        try {
            Files.writeString(file, yaml);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return "--spring.config.location=" + file.toUri();
    }
}
