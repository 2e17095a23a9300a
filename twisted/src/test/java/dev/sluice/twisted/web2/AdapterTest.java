package dev.sluice.twisted.web2;

import static dev.sluice.twisted.web2.StreamTesting.now;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Port of {@code AdapterTestCase.test_adapt} (W2-I3): bytes, a buffer and a file become streams. */
class AdapterTest {

    @Test
    @DisplayName("W2-I3 test_adapt: bytes, a ByteBuffer and a file each read as one chunk, then the end")
    void w2i3_adapt(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("test"), "test");
        try (FileChannel channel = FileChannel.open(file)) {
            List<ByteStream> streams = List.of(new MemoryStream("test".getBytes(StandardCharsets.US_ASCII)),
                    new MemoryStream(ByteBuffer.wrap("test".getBytes(StandardCharsets.US_ASCII))),
                    new FileStream(channel));
            for (ByteStream stream : streams) {
                assertThat(now(stream.read())).isEqualTo("test");
                assertThat(now(stream.read())).isNull();
            }
        }
    }
}
