package dev.sluice.benchmarks.http;

/**
 * How long and how hard: {@link #QUICK} answers "where do we stand" in under two minutes for all sides on both
 * containers; {@link #FULL} is the figure of record.
 *
 * @param name the mode's name, in file names
 * @param slowClients slow clients, connected first
 * @param fastClients fast clients, connected {@code slowSettleMillis} later
 * @param warmUpMillis two fast clients before the idle reading, so that the measured window does not pay class
 *        loading and the first compilations
 * @param slowSettleMillis from the slow clients' connects to the fast ones'
 * @param rampMillis from the fast clients' connects to the window
 * @param windowMillis the measured window
 * @param sharedServers whether one server JVM serves every side of its container and thread kind, one side after the
 *        other (quick: four JVMs, started together, instead of twelve one after the other), rather than a JVM per
 *        side (full)
 */
record Mode(String name, int slowClients, int fastClients, long warmUpMillis, long slowSettleMillis, long rampMillis,
        long windowMillis, boolean sharedServers) {

    static final Mode QUICK = new Mode("quick", 300, 10, 600, 500, 1000, 3000, true);

    static final Mode FULL = new Mode("full", 1000, 10, 3000, 1000, 5000, 20000, false);
}
