package dev.sluice.sample.files;

import java.io.IOException;

import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.sample.SampleProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The file downloads: the catalog of {@code sample.files.dir}, whose sample files are made at start-up when missing.
 */
@Configuration(proxyBeanMethods = false)
class FilesConfiguration {

    @Bean
    FileCatalog fileCatalog(SampleProperties properties, BufferedConsumerFactory consumers) throws IOException {
        // each download's consumer is made per request under the group "downloads": say the settings name is used
        consumers.declare(DownloadController.GROUP);
        FileCatalog catalog = new FileCatalog(properties.files().dir());
        SampleFiles.ensure(catalog.dir(), properties.files().create());
        return catalog;
    }
}
