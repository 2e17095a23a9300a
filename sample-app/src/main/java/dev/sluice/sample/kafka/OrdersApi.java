package dev.sluice.sample.kafka;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The rate-limited HTTP API the Kafka pipe feeds: {@code POST /api/orders} answers {@code sample.kafka.api-rate}
 * requests a second, in grants every 10 ms; a request beyond the rate waits (asynchronously) for the next grant, as a
 * throttling gateway would. {@code GET /api/orders/count} tells how many it has taken.
 */
@RestController
@Profile("kafka")
class OrdersApi implements AutoCloseable {

    private static final int TICKS_PER_SECOND = 100;

    private final Queue<CompletableFuture<ResponseEntity<Void>>> waiting = new ConcurrentLinkedQueue<>();

    private final AtomicLong taken = new AtomicLong();

    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "orders-api-rate");
        thread.setDaemon(true);
        return thread;
    });

    OrdersApi(KafkaSampleProperties properties) {
        int perTick = Math.max(1, properties.apiRate() / TICKS_PER_SECOND);
        this.clock.scheduleAtFixedRate(() -> grant(perTick), 10, 10, TimeUnit.MILLISECONDS);
    }

    private void grant(int permits) {
        for (int i = 0; i < permits; i++) {
            CompletableFuture<ResponseEntity<Void>> next = this.waiting.poll();
            if (next == null) {
                return;
            }
            this.taken.incrementAndGet();
            next.complete(ResponseEntity.accepted().build());
        }
    }

    @PostMapping("/api/orders")
    CompletableFuture<ResponseEntity<Void>> order(@RequestBody String order) {
        CompletableFuture<ResponseEntity<Void>> answer = new CompletableFuture<>();
        this.waiting.add(answer);
        return answer;
    }

    @GetMapping("/api/orders/count")
    long count() {
        return this.taken.get();
    }

    @Override
    public void close() {
        this.clock.shutdownNow();
    }
}
