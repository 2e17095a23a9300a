package dev.sluice.registry;

/**
 * Thrown by {@link ProducerRegistry#pause} and {@link ProducerRegistry#resume} for a producer that has been stopped:
 * a stopped producer never produces again, so there is nothing to pause or resume.
 */
public class ProducerStoppedException extends IllegalStateException {

    private final String producer;

    /**
     * Creates the exception.
     *
     * @param producer the registry name of the stopped producer
     * @param action what was asked of it
     */
    public ProducerStoppedException(String producer, String action) {
        super("Cannot " + action + " producer '" + producer + "': it has been stopped");
        this.producer = producer;
    }

    /** The registry name of the stopped producer. */
    public String producer() {
        return this.producer;
    }
}
