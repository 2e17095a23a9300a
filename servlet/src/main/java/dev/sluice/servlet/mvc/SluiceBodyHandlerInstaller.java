package dev.sluice.servlet.mvc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Puts a {@link SluiceBodyReturnValueHandler} first among the return-value handlers of every
 * {@link RequestMappingHandlerAdapter}. First, because {@code WebMvcConfigurer.addReturnValueHandlers} appends after
 * Spring's own handlers, and the {@code @ResponseBody} one claims every value a {@code @RestController} returns. Declare
 * it as a {@code static} bean (it is a {@link BeanPostProcessor}); the Sluice starter does.
 */
public final class SluiceBodyHandlerInstaller implements BeanPostProcessor {

    private final Supplier<SluiceBodyReturnValueHandler> handler;

    /**
     * Creates the installer.
     *
     * @param handler gives the handler when the adapter is ready (such as an {@code ObjectProvider})
     */
    public SluiceBodyHandlerInstaller(Supplier<SluiceBodyReturnValueHandler> handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof RequestMappingHandlerAdapter adapter) {
            List<HandlerMethodReturnValueHandler> current = adapter.getReturnValueHandlers();
            List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>();
            handlers.add(this.handler.get());
            if (current != null) {
                current.stream().filter(each -> !(each instanceof SluiceBodyReturnValueHandler))
                    .forEach(handlers::add);
            }
            adapter.setReturnValueHandlers(handlers);
        }
        return bean;
    }
}
