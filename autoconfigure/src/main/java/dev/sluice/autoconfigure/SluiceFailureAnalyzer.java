package dev.sluice.autoconfigure;

import dev.sluice.boot.SluiceConfigurationException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start-up failure caused by a {@link SluiceConfigurationException}: which property, what is wrong with
 * it, and what to do.
 */
class SluiceFailureAnalyzer extends AbstractFailureAnalyzer<SluiceConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SluiceConfigurationException cause) {
        return new FailureAnalysis("Sluice could not start. " + cause.getMessage() + ".", cause.getAction(), cause);
    }
}
