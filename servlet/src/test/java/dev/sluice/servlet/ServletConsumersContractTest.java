package dev.sluice.servlet;

import dev.sluice.testing.contract.ConsumerContract;
import dev.sluice.testing.contract.ContractSettings;
import dev.sluice.testing.contract.ContractSubject;
import org.junit.jupiter.api.Nested;

/**
 * The consumers a servlet response is written through keep the {@link ConsumerContract}: a
 * {@link ServletOutputConsumer}'s, and the one {@link HttpTransfers} gives a producer body (registered in the registry,
 * held by its operator).
 */
class ServletConsumersContractTest {

    @Nested
    class ServletOutputContract extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) throws Exception {
            return ServletSubject.direct(settings);
        }
    }

    @Nested
    class HttpTransferContract extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) throws Exception {
            return ServletSubject.httpTransfer(settings);
        }
    }
}
