package dev.sluice.sample.files;

import java.io.IOException;

import dev.sluice.sample.SampleProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The file downloads: the catalog of {@code sample.files.dir}, whose sample files are made at start-up when missing.
 */
@Configuration(proxyBeanMethods = false)
class FilesConfiguration {

    @Bean
    FileCatalog fileCatalog(SampleProperties properties) throws IOException {
        FileCatalog catalog = new FileCatalog(properties.files().dir());
        SampleFiles.ensure(catalog.dir(), properties.files().create());
        return catalog;
    }
}
