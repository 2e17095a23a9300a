package dev.sluice.torture;

import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.PushProducer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jspecify.annotations.Nullable;

/**
 * The scenario that {@link PromiseLincheckTest}, {@link RegistryStopLincheckTest} and
 * {@link PromiseOnExecutorLincheckTest} model-check (Lincheck): the v3 promise — "a {@code write} that returned
 * {@code false} is followed by {@code resumeProducing} or {@code stopProducing}" (DESIGN §4.3) — over the operations
 * that race the owner loop: here writes by a producer that honours {@code false}, registrations of push and pull
 * producers, unregistrations, {@code connectionLost} and {@code drain}; the subclasses add stops, keyed holds and
 * releases, and a drain executor's thread. The drain is inline, or on an executor Lincheck can see (its tasks are
 * queued and run by an operation, and by the checks before they look).
 *
 * <p>Checked at every call to a producer ({@link Referee#enter}): no two callbacks of the loop overlap and none nests
 * in another; no two calls to one producer overlap (a registry stop made outside the loop included); a listener
 * event right before each callback of the loop, {@code registered} before any, none after {@code unregistered};
 * pause and resume alternate, a pull producer is never paused, nothing after a stop; with a drain executor, no
 * callback and no listener event on any thread but the executor's (DESIGN §4.6); and the keyed-hold rule, no
 * resume while a hold is in force: a hold whose
 * call returned before the operation of the thread delivering the resume began (so the loop had applied it before
 * this thread took the loop), where every release of that key begun so far returned before the hold's call began (so
 * none can have been applied after it).
 *
 * <p>Checked once the threads are quiet ({@link #invariants()}): no stopped producer kept by the consumer, never left
 * paused with the buffer at or below the low mark and no hold, the accounts; then, once {@link #finish()} has released
 * the holds and the sink takes everything, every producer that got {@code false} and is still registered got a resume
 * (begun after that write) or a stop. One that is no longer registered and was not stopped unregistered, and is owed
 * nothing.
 *
 * <p>Items weigh 1; high-water mark 1, low 0. The sink takes an item only while it has credit; {@code drain()} gives
 * it two and calls the consumer's {@code drain()}. A pull producer writes one item from inside each resume, honouring
 * {@code false} too, and unregisters itself in the call that writes its second, as {@code FileSender} does.
 *
 * <p>The test's own bookkeeping ({@link Referee}) and the library's logging are outside the model: Lincheck makes no
 * switch point in them, so the interleavings it explores are those of the library's code.
 */
@Param(name = "thread", gen = ThreadIdGen.class)
public abstract class PromiseScenario {

    static final int THREADS = 3;

    static final String[] KEYS = { "operator-a", "operator-b" };

    static final int PULL_CHUNKS = 2;

    final Referee referee;

    final BufferedConsumer<Object> consumer;

    /** A scenario with the inline drain. */
    PromiseScenario() {
        this(false);
    }

    /**
     * A scenario with the inline drain, or with a drain executor that Lincheck can see: it queues the loop's task, and
     * {@link #runTasks()} runs what is queued, as the executor's thread (a subclass's operation, and before the checks).
     */
    PromiseScenario(boolean onExecutor) {
        this.referee = new Referee("lincheck-promise", onExecutor);
        this.consumer = this.referee.consumer;
    }

    /** The producer registered last: the one a stop aims at, so that the stop races its announcement. */
    volatile @Nullable Scripted newest;

    /**
     * Registers a new producer with the consumer, after {@link #listing} it, and makes it the newest, which a stop may
     * aim at from then on: not before, since a producer stopped while it registers itself is a race no consumer can
     * see ({@link RegistryStopLincheckTest} explains).
     */
    final void registerNew(boolean streaming) {
        Scripted producer = this.referee.made(streaming);
        listing(producer);
        try {
            this.consumer.registerProducer(producer, streaming);
        }
        catch (IllegalStateException taken) {
            // another producer is registered
        }
        this.newest = producer;
    }

    /** What happens to a new producer before it registers with the consumer; nothing by default. */
    void listing(Scripted producer) {
    }

    /** Lets every promise come due before the last checks: the default gives the sink all it wants. */
    void finish() {
        this.referee.credit(Integer.MAX_VALUE / 2);
        this.consumer.drain();
        runTasks();
    }

    /** Runs the drain executor's queued tasks on this thread, as the executor's thread would. */
    final void runTasks() {
        while (runTask(this.referee.nextTask())) {
            // until none is queued
        }
    }

    /** Runs {@code task}, if any, as the drain executor's thread; whether there was one. */
    final boolean runTask(@Nullable Runnable task) {
        if (task != null) {
            this.referee.inTask(true);
            try {
                task.run();
            }
            finally {
                this.referee.inTask(false);
            }
            return true;
        }
        return false;
    }

    /** A write by the registered push producer, unless it waits for the answer to a {@code false}. */
    @Operation
    public void write(@Param(name = "thread") int thread) {
        this.referee.begin();
        Producer current = this.consumer.producer();
        Scripted writer = (current instanceof Scripted producer && producer.streaming) ? producer : null;
        if (!this.referee.mayWrite(writer)) {
            return; // honours false, and a stop
        }
        int resumesBefore = this.referee.resumes(writer);
        this.referee.wrote(writer, resumesBefore, this.consumer.write(thread));
    }

    @Operation
    public void drain() {
        this.referee.begin();
        this.referee.credit(2);
        this.consumer.drain();
    }

    @Operation
    public void registerPush() {
        this.referee.begin();
        registerNew(true);
    }

    @Operation
    public void registerPull() {
        this.referee.begin();
        registerNew(false);
    }

    /** The registered producer unregisters itself (whichever it is when the call lands): it is owed nothing. */
    @Operation
    public void unregister() {
        this.referee.begin();
        this.consumer.unregisterProducer();
    }

    @Operation
    public void connectionLost() {
        this.referee.begin();
        this.consumer.connectionLost(null);
    }

    @Validate
    public void invariants() {
        runTasks(); // quiet: the threads are done, and the executor has run what they gave it
        this.referee.failOnViolations("during the run");
        checkQuiet("once the threads are quiet");
        this.referee.begin();
        finish();
        this.referee.failOnViolations("while finishing (holds released, the sink taking everything)");
        checkQuiet("after finishing");
        Producer kept = this.consumer.producer();
        if (kept instanceof Scripted producer && this.referee.owes(producer)) {
            throw new AssertionError("false is a promise (DESIGN §4.3): " + this.referee.describe(producer)
                    + " got false, is still registered, and got neither a resume begun after that write nor a stop, "
                    + "with no hold and the buffer drained; " + state());
        }
    }

    private void checkQuiet(String when) {
        Producer kept = this.consumer.producer();
        if (kept instanceof Scripted producer && this.referee.isStopped(producer)) {
            throw new AssertionError(when + ": a stopped producer is kept by the consumer: "
                    + this.referee.describe(producer) + "; " + state());
        }
        if (!this.consumer.whenClosed().isDone() && kept instanceof Scripted producer && producer.streaming
                && this.referee.isPaused(producer) && !this.consumer.isProducerHeld()
                && this.consumer.bufferedUnits() <= this.consumer.lowWaterMark()) {
            throw new AssertionError(when + ": never left paused (DESIGN §4.3): " + this.referee.describe(producer)
                    + "; " + state());
        }
        long accepted = this.consumer.acceptedUnits();
        long accounted = this.consumer.sentUnits() + this.consumer.droppedUnits() + this.consumer.bufferedUnits();
        if (accepted != accounted || accepted != this.referee.writes()) {
            throw new AssertionError(when + ": accounts add up (DESIGN §4.7): " + this.referee.writes() + " writes; "
                    + state());
        }
    }

    private String state() {
        return "registered " + this.consumer.producer() + ", held " + this.consumer.isProducerHeld() + ", accepted "
                + this.consumer.acceptedUnits() + ", sent " + this.consumer.sentUnits() + ", dropped "
                + this.consumer.droppedUnits() + ", buffered " + this.consumer.bufferedUnits() + ", closed "
                + this.consumer.whenClosed().isDone();
    }

    /**
     * The random scenarios a test explores: system property {@code sluice.lincheck.iterations} (10 in {@code verify},
     * 300 under {@code -Ptorture}) divided by {@code share}, at least one.
     */
    static int iterations(int share) {
        return Math.max(1, Integer.getInteger("sluice.lincheck.iterations", 10) / share);
    }

    /**
     * Model-checking options for a subclass: {@code iterations} random scenarios and the named {@code races}, each
     * explored in {@code invocations} interleavings, with the test's bookkeeping and the library's logging left out of
     * the model.
     */
    static ModelCheckingOptions options(int iterations, int invocations, List<ExecutionScenario> races) {
        ModelCheckingOptions options = new ModelCheckingOptions()
            .iterations(iterations)
            .invocationsPerIteration(invocations)
            .threads(THREADS)
            .actorsPerThread(2)
            .actorsBefore(1)
            .actorsAfter(0)
            .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(Referee.class.getCanonicalName(),
                    Violations.class.getCanonicalName(), "dev.sluice.internal.Log").allMethods().ignore())
            // the JDK's concurrent collections are linearizable: one step each (their identity-hashed tables would also
            // make Lincheck's replays differ); the library's own structures stay in the model
            .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(PromiseScenario::isJdkConcurrent).allMethods()
                .treatAsAtomic());
        for (ExecutionScenario race : races) {
            options.addCustomScenario(race);
        }
        return options;
    }

    private static Boolean isJdkConcurrent(String className) {
        return className.startsWith("java.util.concurrent.ConcurrentHashMap")
                || className.startsWith("java.util.concurrent.ConcurrentLinkedQueue")
                || className.startsWith("java.util.concurrent.CopyOnWriteArrayList")
                || className.startsWith("java.util.concurrent.atomic.LongAdder");
    }

    /** A fixed scenario: {@code initial} actors, then one list of actors per thread. */
    static ExecutionScenario scenario(List<Actor> initial, List<List<Actor>> parallel) {
        return new ExecutionScenario(initial, parallel, List.of(), null);
    }

    /** The actor that calls {@code operation} of {@code test} with {@code arguments}. */
    static Actor actor(Class<? extends PromiseScenario> test, String operation, Object... arguments) {
        for (Method method : test.getMethods()) {
            if (method.getName().equals(operation) && method.getParameterCount() == arguments.length
                    && method.isAnnotationPresent(Operation.class)) {
                return new Actor(method, List.of(arguments));
            }
        }
        throw new IllegalArgumentException("no operation " + operation + " with " + arguments.length + " argument(s)");
    }

    /** What a producer can be told. */
    enum Call {
        PAUSE, RESUME, STOP
    }

    /**
     * A producer of the scenario, push or pull; a shell whose every call goes to the {@link Referee}, which keeps its
     * state. A pull producer writes one item from inside each resume until it has written its chunks.
     */
    static final class Scripted implements PushProducer {

        final String name;

        final boolean streaming;

        private final Referee referee;

        // the referee's, changed only inside it

        boolean paused;

        boolean stopped;

        int resumes;

        /** The largest resume count seen before a write that returned false; -1 while none did. */
        int owedAfter = -1;

        boolean announced;

        boolean retired;

        @Nullable Thread inCall;

        int chunksLeft = PULL_CHUNKS;

        Scripted(String name, boolean streaming, Referee referee) {
            this.name = name;
            this.streaming = streaming;
            this.referee = referee;
        }

        @Override
        public void pauseProducing() {
            this.referee.enter(this, Call.PAUSE);
            this.referee.exit(this);
        }

        @Override
        public void resumeProducing() {
            Referee referee = this.referee;
            referee.enter(this, Call.RESUME);
            try {
                if (!this.streaming && referee.takeChunk(this)) {
                    BufferedConsumer<Object> consumer = referee.consumer;
                    referee.wrote(this, referee.resumes(this), consumer.write(this.name));
                    if (referee.wroteLast(this) && consumer.producer() == this) {
                        consumer.unregisterProducer(); // its last chunk: done, as FileSender does
                    }
                }
            }
            finally {
                referee.exit(this);
            }
        }

        @Override
        public void stopProducing() {
            this.referee.enter(this, Call.STOP);
            this.referee.exit(this);
        }

        @Override
        public String toString() {
            return this.name;
        }
    }

    /**
     * The test's bookkeeping and checks, outside the model: the producers' states, the listener events, the loop's
     * callback in progress, the sink's credit, a logical clock with the start of each thread's current operation, and
     * the hold and release calls by key. Every method runs as one step for Lincheck (no switch point inside).
     */
    static final class Referee implements ProducerListener {

        private static final ThreadLocal<long[]> OPERATION_BEGAN = ThreadLocal.withInitial(() -> new long[1]);

        /** The last listener event on each thread: the call it announces, and to whom. */
        private static final ThreadLocal<Object[]> ANNOUNCED = ThreadLocal.withInitial(() -> new Object[2]);

        /** Whether the calling thread is running a task of the drain executor. */
        private static final ThreadLocal<boolean[]> IN_TASK = ThreadLocal.withInitial(() -> new boolean[1]);

        private final Violations violations = new Violations();

        private final boolean onExecutor;

        private final Queue<Runnable> tasks = new ArrayDeque<>();

        Referee(String name, boolean onExecutor) {
            this.onExecutor = onExecutor;
            BufferedConsumer.Builder<Object> builder = BufferedConsumer.builder(this::offer)
                .name(name)
                .weigher(Weigher.items())
                .waterMarks(new WaterMarks(1, 0));
            if (onExecutor) {
                builder.drainOn(this::execute);
            }
            this.consumer = builder.build();
            this.consumer.addProducerListener(this);
        }

        final BufferedConsumer<Object> consumer;

        private int credit;

        private long writes;

        private long clock;

        private int producers;

        private final List<KeyCall> keyCalls = new ArrayList<>();

        /** The producer the loop is calling now, and on which thread. */
        private @Nullable Scripted loopCalling;

        private @Nullable Thread loopThread;

        // ---- the sink

        synchronized boolean offer(Object item) {
            if (this.credit == 0) {
                return false;
            }
            this.credit--;
            return true;
        }

        synchronized void credit(int more) {
            this.credit += more;
        }

        // ---- the drain executor

        private synchronized void execute(Runnable task) {
            this.tasks.add(task);
        }

        synchronized @Nullable Runnable nextTask() {
            return this.tasks.poll();
        }

        synchronized void inTask(boolean running) {
            IN_TASK.get()[0] = running;
        }

        /** Nesting with a drain executor (DESIGN §4.6): callbacks and listener events run on its thread only. */
        private void checkOnExecutor(String what) {
            if (this.onExecutor && !IN_TASK.get()[0]) {
                report("with a drain executor, no callback or listener event on another thread (DESIGN §4.6)",
                        what + " on " + Thread.currentThread().getName() + ", outside the executor's task");
            }
        }

        // ---- the operations

        /** Marks the start of an operation of the calling thread. */
        synchronized void begin() {
            OPERATION_BEGAN.get()[0] = ++this.clock;
        }

        synchronized Scripted made(boolean streaming) {
            return new Scripted((streaming ? "push-" : "pull-") + ++this.producers, streaming, this);
        }

        synchronized boolean mayWrite(@Nullable Scripted writer) {
            return writer == null || (!writer.stopped && writer.resumes > writer.owedAfter);
        }

        synchronized int resumes(@Nullable Scripted producer) {
            return (producer != null) ? producer.resumes : 0;
        }

        synchronized void wrote(@Nullable Scripted writer, int resumesBefore, boolean more) {
            this.writes++;
            if (!more && writer != null) {
                writer.owedAfter = Math.max(writer.owedAfter, resumesBefore);
            }
        }

        synchronized boolean takeChunk(Scripted producer) {
            if (producer.chunksLeft == 0) {
                return false;
            }
            producer.chunksLeft--;
            return true;
        }

        synchronized boolean wroteLast(Scripted producer) {
            return producer.chunksLeft == 0;
        }

        synchronized KeyCall keyCallBegins(int key, boolean hold) {
            KeyCall call = new KeyCall(key, hold, ++this.clock);
            this.keyCalls.add(call);
            return call;
        }

        synchronized void keyCallEnds(KeyCall call) {
            call.end = ++this.clock;
        }

        // ---- the listener: events come from the loop, right before the callback they announce

        @Override
        public synchronized void registered(Producer producer, boolean streaming) {
            checkOnExecutor("registered(" + producer + ")");
            if (producer instanceof Scripted scripted) {
                scripted.announced = true;
            }
        }

        @Override
        public synchronized void unregistered(Producer producer) {
            checkOnExecutor("unregistered(" + producer + ")");
            if (producer instanceof Scripted scripted) {
                scripted.retired = true;
            }
        }

        @Override
        public void paused(Producer producer) {
            announce(Call.PAUSE, producer);
        }

        @Override
        public void resumed(Producer producer) {
            announce(Call.RESUME, producer);
        }

        @Override
        public void stopped(Producer producer) {
            announce(Call.STOP, producer);
        }

        private synchronized void announce(Call call, Producer producer) {
            checkOnExecutor("the " + call + " event for " + producer);
            Object[] announced = ANNOUNCED.get();
            announced[0] = call;
            announced[1] = producer;
        }

        // ---- the calls to the producers

        /**
         * A call to {@code producer} begins: checks it and moves the producer's state. A call the loop announced is one
         * of its callbacks; a stop it did not announce comes from the registry directly.
         */
        synchronized void enter(Scripted producer, Call call) {
            Thread me = Thread.currentThread();
            Object[] announced = ANNOUNCED.get();
            boolean fromLoop = announced[0] == call && announced[1] == producer;
            announced[0] = null;
            announced[1] = null;
            if (fromLoop) {
                checkOnExecutor(call + " to " + producer);
                if (this.loopCalling != null) {
                    report("no two callbacks of the loop overlap (DESIGN §4.2)", call + " to " + producer + " while "
                            + this.loopCalling + ((this.loopThread == me) ? " is called on the same thread (nested)"
                                    : " is called on " + this.loopThread.getName()));
                }
                this.loopCalling = producer;
                this.loopThread = me;
                if (!producer.announced) {
                    report("registered before any callback (issue 18 defect 12)", call + " to " + producer);
                }
                if (producer.retired) {
                    report("no callback after unregistered", call + " to " + producer);
                }
            }
            else if (call != Call.STOP) {
                report("a listener event right before each callback (issue 18 defect 12)", call + " to " + producer
                        + " with no event announcing it");
            }
            if (producer.inCall != null) {
                report("no two calls to one producer overlap", call + " to " + producer + " while another call to it "
                        + "runs on " + producer.inCall.getName() + (fromLoop ? "" : "; this one from the registry"));
            }
            producer.inCall = me;
            if (producer.stopped) {
                report("nothing after stop (FD-2)", call + " to " + producer + " after its stop"
                        + (fromLoop ? "" : "; this one from the registry"));
            }
            switch (call) {
                case PAUSE -> {
                    if (!producer.streaming) {
                        report("a pull producer is never paused", "pause to " + producer);
                    }
                    else if (producer.paused) {
                        report("pause and resume alternate", "pause to " + producer + ", paused already");
                    }
                    producer.paused = true;
                }
                case RESUME -> {
                    if (producer.streaming && !producer.paused) {
                        report("pause and resume alternate", "resume to " + producer + ", which is not paused");
                    }
                    checkNoHold(producer);
                    producer.paused = false;
                    producer.resumes++;
                }
                case STOP -> producer.stopped = true;
            }
        }

        synchronized void exit(Scripted producer) {
            Thread me = Thread.currentThread();
            if (producer.inCall == me) {
                producer.inCall = null;
            }
            if (this.loopCalling == producer && this.loopThread == me) {
                this.loopCalling = null;
                this.loopThread = null;
            }
        }

        private void checkNoHold(Scripted producer) {
            // not isProducerHeld(): a hold answers writes at once and reaches the loop as an operation, so a resume the
            // loop decided before a hold call began on another thread linearizes before that hold (hold never waits
            // for the loop); the rule is the one below, from the calls' own start and end
            long began = OPERATION_BEGAN.get()[0];
            for (KeyCall hold : this.keyCalls) {
                if (hold.hold && hold.end != 0 && hold.end < began && !mayHaveReleased(hold)) {
                    report("no resume while a hold is in force (issue 18 defect 6)", "resume to " + producer
                            + " while the hold of " + KEYS[hold.key] + " is in force: its call ran from tick "
                            + hold.start + " to " + hold.end + ", this thread's operation began at tick " + began
                            + ", and every release of that key begun so far returned before tick " + hold.start);
                }
            }
        }

        /** Whether a release of {@code hold}'s key may have been applied after it: one that did not end before it. */
        private boolean mayHaveReleased(KeyCall hold) {
            for (KeyCall release : this.keyCalls) {
                if (!release.hold && release.key == hold.key && (release.end == 0 || release.end > hold.start)) {
                    return true;
                }
            }
            return false;
        }

        // ---- reading, once quiet

        synchronized boolean isStopped(Scripted producer) {
            return producer.stopped;
        }

        synchronized boolean isPaused(Scripted producer) {
            return producer.paused && !producer.stopped;
        }

        /** Got a false, and neither a resume begun after that write nor a stop. */
        synchronized boolean owes(Scripted producer) {
            return !producer.stopped && producer.resumes <= producer.owedAfter;
        }

        synchronized long writes() {
            return this.writes;
        }

        synchronized String describe(Scripted producer) {
            return producer + (producer.stopped ? " (stopped" : producer.paused ? " (paused" : " (running")
                    + ", resumed " + producer.resumes + " times, last false after resume #" + producer.owedAfter + ")";
        }

        private void report(String invariant, String detail) {
            this.violations.report(invariant, detail);
        }

        void failOnViolations(String when) {
            if (!this.violations.isEmpty()) {
                throw new AssertionError(when + ": " + this.violations.summary());
            }
        }

        /** One call of hold or release, in ticks of the clock; {@code end} is 0 while it runs. */
        static final class KeyCall {

            final int key;

            final boolean hold;

            final long start;

            long end;

            KeyCall(int key, boolean hold, long start) {
                this.key = key;
                this.hold = hold;
                this.start = start;
            }
        }
    }
}
