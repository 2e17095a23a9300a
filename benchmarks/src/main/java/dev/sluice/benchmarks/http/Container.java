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

    List<String> serverArguments(boolean virtualThreads) {
        if (!virtualThreads) {
            return List.of("--spring.autoconfigure.exclude=" + this.excluded);
        }
        if (this == JETTY) {
            // Boot gives Jetty's virtual threads a VirtualThreadPool bounded by server.jetty.threads.max (200 by
            // default: 199 of 1 000 slow clients served, no fast one, in the first full run); bound it by Tomcat's
            // default connection limit instead, so that Jetty's column has a virtual-thread peer to compare with
            return List.of("--spring.autoconfigure.exclude=" + this.excluded, "--spring.threads.virtual.enabled=true",
                    "--server.jetty.threads.max=8192");
        }
        return List.of("--spring.autoconfigure.exclude=" + this.excluded, "--spring.threads.virtual.enabled=true");
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
