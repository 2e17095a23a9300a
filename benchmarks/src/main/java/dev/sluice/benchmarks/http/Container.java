package dev.sluice.benchmarks.http;

import java.util.List;

/**
 * The servlet container a {@link DownloadServer} runs on. Both are on the server's class path; Boot picks Tomcat when
 * it may, so the Jetty server leaves Tomcat's auto-configuration out (the way the project's Jetty tests do).
 */
enum Container {

    TOMCAT("tomcat", "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration"),

    JETTY("jetty", "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration");

    final String label;

    private final String excluded;

    Container(String label, String excluded) {
        this.label = label;
        this.excluded = excluded;
    }

    List<String> serverArguments() {
        return List.of("--spring.autoconfigure.exclude=" + this.excluded);
    }

    static Container of(String label) {
        for (Container container : values()) {
            if (container.label.equals(label)) {
                return container;
            }
        }
        throw new IllegalArgumentException("unknown container " + label + " (tomcat, jetty)");
    }
}
