package dev.sluice.autoconfigure;

import java.util.EnumSet;

import dev.sluice.WaterMarks;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.boot.FileTransfers;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.servlet.FileReads;
import dev.sluice.servlet.HttpTransfers;
import dev.sluice.servlet.SluiceBody;
import dev.sluice.servlet.mvc.SluiceBodyHandlerInstaller;
import dev.sluice.servlet.mvc.SluiceBodyReturnValueHandler;
import dev.sluice.servlet.jetty.MappedOutputFilter;
import dev.sluice.servlet.tomcat.ConnectionCloserValve;
import dev.sluice.servlet.tomcat.SendfileValve;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee11.servlet.HttpOutput;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Files and streams over HTTP in a servlet web application with Spring MVC: controllers may return a
 * {@link SluiceBody}. Beans: the shared {@link FileReads} ({@code sluice.http.read-threads}), {@link HttpTransfers}
 * (chunks of {@code sluice.file.chunk-size}, each group's water marks from {@code sluice.consumers.<group>.*}; file
 * bodies in a group that sets none get {@link HttpTransfers#fileWaterMarks(int) one chunk}, not the shared
 * {@code sluice.buffer.*} marks), the
 * return-value handler and what puts it first; on Tomcat, the valve that lets a failed transfer abort its connection and
 * the one that offers Tomcat's sendfile to file bodies ({@code sluice.http.zero-copy}, default true); on Jetty, the
 * filter that lets file bodies go from memory-mapped buffers (the same property).
 */
@AutoConfiguration(after = SluiceAutoConfiguration.class)
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass({ SluiceBody.class, RequestMappingHandlerAdapter.class })
@ConditionalOnBean(ProducerRegistry.class)
@EnableConfigurationProperties(SluiceHttpProperties.class)
public final class SluiceWebMvcAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    FileReads sluiceFileReads(SluiceHttpProperties properties) {
        return new FileReads(properties.getReadThreads());
    }

    @Bean
    @ConditionalOnMissingBean
    HttpTransfers sluiceHttpTransfers(ProducerRegistry registry, BufferedConsumerFactory consumers,
            SluiceProperties properties, FileReads fileReads, FileTransfers fileTransfers) {
        int chunkSize = fileTransfers.chunkSize();
        WaterMarks fileDefault = HttpTransfers.fileWaterMarks(chunkSize);
        return new HttpTransfers(registry, consumers::waterMarks,
                group -> setsOwnMarks(properties, group) ? consumers.waterMarks(group) : fileDefault, fileReads,
                chunkSize);
    }

    /** Whether {@code sluice.consumers.<group>} sets a water mark in bytes; file transfers use their own otherwise. */
    private static boolean setsOwnMarks(SluiceProperties properties, String group) {
        SluiceProperties.ConsumerBuffer own = properties.getConsumers().get(group);
        return own != null && (own.getHighWaterMark() != null || own.getLowWaterMark() != null);
    }

    @Bean
    @ConditionalOnMissingBean
    SluiceBodyReturnValueHandler sluiceBodyReturnValueHandler(HttpTransfers transfers) {
        return new SluiceBodyReturnValueHandler(transfers);
    }

    @Bean
    static SluiceBodyHandlerInstaller sluiceBodyHandlerInstaller(ObjectProvider<SluiceBodyReturnValueHandler> handler) {
        return new SluiceBodyHandlerInstaller(handler::getObject);
    }

    /**
     * On Tomcat: a transfer that fails after the response was committed closes its connection at once; file bodies go
     * by Tomcat's sendfile where the connector offers it, unless {@code sluice.http.zero-copy=false}; the connector's
     * socket write buffer is {@code sluice.http.tomcat-write-buffer} (32 KiB), the size of each non-blocking write.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ Tomcat.class, TomcatServletWebServerFactory.class, ConnectionCloserValve.class })
    static final class TomcatConnectionCloser {

        @Bean
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> sluiceConnectionCloserValve(
                SluiceHttpProperties properties) {
            return factory -> {
                factory.addContextValves(new ConnectionCloserValve());
                long writeBuffer = properties.getTomcatWriteBuffer().toBytes();
                if (writeBuffer > 0) {
                    factory.addConnectorCustomizers(connector -> connector.setProperty("socket.appWriteBufSize",
                            Long.toString(writeBuffer)));
                }
                if (properties.isZeroCopy() && SendfileValve.supported()) {
                    factory.addContextValves(new SendfileValve());
                }
            };
        }
    }

    /**
     * On Jetty 12 (ee11): file bodies go to the socket from memory-mapped buffers where nothing in Java reads them
     * (plain HTTP/1.x, no compression), unless {@code sluice.http.zero-copy=false}.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ HttpOutput.class, JettyServletWebServerFactory.class, MappedOutputFilter.class })
    static final class JettyMappedOutput {

        @Bean
        WebServerFactoryCustomizer<JettyServletWebServerFactory> sluiceMappedOutputFilter(
                SluiceHttpProperties properties) {
            return factory -> {
                if (properties.isZeroCopy()) {
                    factory.addInitializers(context -> {
                        FilterRegistration.Dynamic filter = context.addFilter("sluiceMappedOutputFilter",
                                new MappedOutputFilter());
                        filter.setAsyncSupported(true);
                        filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
                    });
                }
            };
        }
    }
}
