package dev.sluice.sample.files;

import java.io.IOException;

import dev.sluice.autoconfigure.SluiceProperties;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.sample.SampleProperties;
import dev.sluice.twisted.task.Cooperator;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The file downloads: the catalog of {@code sample.files.dir}, whose sample files are made at start-up when missing,
 * and the download service.
 */
@Configuration(proxyBeanMethods = false)
class FilesConfiguration {

    @Bean
    FileCatalog fileCatalog(SampleProperties properties) throws IOException {
        FileCatalog catalog = new FileCatalog(properties.files().dir());
        SampleFiles.ensure(catalog.dir(), properties.files().create());
        return catalog;
    }

    @Bean
    Downloads downloads(BufferedConsumerFactory consumers, ProducerRegistry registry, Cooperator cooperator,
            SluiceProperties sluice, SampleProperties properties) {
        return new Downloads(consumers, registry, cooperator, Math.toIntExact(sluice.getFile().getChunkSize().toBytes()),
                properties.files().maxPerFile());
    }
}
