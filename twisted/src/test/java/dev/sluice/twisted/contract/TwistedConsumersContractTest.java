package dev.sluice.twisted.contract;

import dev.sluice.testing.contract.BufferedConsumerSubject;
import dev.sluice.testing.contract.ConsumerContract;
import dev.sluice.testing.contract.ContractSettings;
import dev.sluice.testing.contract.ContractSubject;
import org.junit.jupiter.api.Nested;

/**
 * Every {@link dev.sluice.Consumer} of the Twisted ports keeps the {@link ConsumerContract}: {@code ProducerToStream},
 * the pcp proxies (basic; bounded by a buffer of the high mark's size; with a buffer too large to fill), the
 * {@code FilePager}, and the decorating consumer of {@code PullToPush.consumer} over a {@code BufferedConsumer} and
 * over a {@code ProducerToStream}. ({@code StreamToConsumer} is a producer, not a consumer.)
 */
class TwistedConsumersContractTest {

    @Nested
    class ProducerToStreamContract extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) {
            return new StreamSubject(settings);
        }
    }

    @Nested
    class BasicProxyContract extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) {
            return ProxySubject.basic(settings);
        }
    }

    @Nested
    class BoundedProxyContract extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) {
            return ProxySubject.bounded(settings);
        }
    }

    @Nested
    class UnboundedProxyContract extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) {
            return ProxySubject.unbounded(settings);
        }
    }

    @Nested
    class FilePagerContract extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) {
            return new FilePagerSubject();
        }
    }

    @Nested
    class PullToPushOverBufferedConsumerContract extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) {
            return new PullToPushSubject(BufferedConsumerSubject.inline(settings));
        }
    }

    @Nested
    class PullToPushOverProducerToStreamContract extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) {
            return new PullToPushSubject(new StreamSubject(settings));
        }
    }
}
