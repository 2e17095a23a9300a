package dev.sluice.sample.files;

import dev.sluice.registry.ProducerRegistry;
import dev.sluice.sample.SampleAppTest;
import dev.sluice.servlet.HttpTransfers;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** What every download test uses: the server's port, the registry, the files and the downloads, none running. */
@SampleAppTest
abstract class DownloadTestSupport {

    @LocalServerPort
    protected int port;

    @Autowired
    protected ProducerRegistry registry;

    @Autowired
    protected FileCatalog catalog;

    @Autowired
    protected HttpTransfers downloads;

    @BeforeEach
    void noDownloadRuns() {
        Probe.awaitIdle(this.downloads);
    }
}
