package dev.sluice.servlet.mvc;

import java.util.Objects;

import dev.sluice.servlet.HttpTransfers;
import dev.sluice.servlet.SluiceBody;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Sends a {@link SluiceBody} returned by a controller method through {@link HttpTransfers}. The request is then
 * handled: no view, no message converter. A body without a group gets the handler's URL pattern (such as
 * {@code /files/{name}}) as its registry group. A {@code null} return sends an empty 200.
 *
 * <p>It must come before Spring's {@code @ResponseBody} handler, which claims every return value of a
 * {@code @RestController}: {@link SluiceBodyHandlerInstaller} puts it first.
 *
 * <p>The transfer runs asynchronously on its own {@link jakarta.servlet.AsyncContext}, not through Spring's
 * {@code WebAsyncManager}: Spring MVC sees the request as handled when the method returns (interceptors'
 * {@code afterCompletion} run then), and a transfer that fails later never reaches an exception handler, so none can
 * write into the committed response.
 */
public final class SluiceBodyReturnValueHandler implements HandlerMethodReturnValueHandler {

    private final HttpTransfers transfers;

    /**
     * Creates the handler.
     *
     * @param transfers what sends the bodies
     */
    public SluiceBodyReturnValueHandler(HttpTransfers transfers) {
        this.transfers = Objects.requireNonNull(transfers, "transfers");
    }

    @Override
    public boolean supportsReturnType(MethodParameter returnType) {
        return SluiceBody.class.isAssignableFrom(returnType.getParameterType());
    }

    @Override
    public void handleReturnValue(@Nullable Object returnValue, MethodParameter returnType,
            ModelAndViewContainer mavContainer, NativeWebRequest webRequest) throws Exception {
        mavContainer.setRequestHandled(true);
        if (returnValue == null) {
            return;
        }
        HttpServletRequest request = Objects.requireNonNull(webRequest.getNativeRequest(HttpServletRequest.class));
        HttpServletResponse response = Objects.requireNonNull(webRequest.getNativeResponse(HttpServletResponse.class));
        this.transfers.send((SluiceBody) returnValue, request, response, defaultGroup(request, returnType));
    }

    private static String defaultGroup(HttpServletRequest request, MethodParameter returnType) {
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        if (pattern instanceof String text && !text.isBlank()) {
            return text;
        }
        return returnType.getExecutable().getDeclaringClass().getSimpleName() + "."
                + returnType.getExecutable().getName();
    }
}
