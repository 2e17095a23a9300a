package dev.sluice.sample.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class SampleFilesTest {

    @TempDir
    Path dir;

    @Test
    void namesFilesBySize() {
        assertThat(SampleFiles.nameFor(DataSize.ofMegabytes(64))).isEqualTo("64MiB.bin");
        assertThat(SampleFiles.nameFor(DataSize.ofKilobytes(3))).isEqualTo("3KiB.bin");
        assertThat(SampleFiles.nameFor(DataSize.ofBytes(100))).isEqualTo("100B.bin");
    }

    @Test
    void writesTheSameBytesEveryTimeWithEachBlockNumbered() throws IOException {
        DataSize size = DataSize.ofBytes(2L * SampleFiles.BLOCK + 100);
        SampleFiles.ensure(this.dir.resolve("a"), List.of(size));
        SampleFiles.ensure(this.dir.resolve("b"), List.of(size));
        byte[] first = Files.readAllBytes(this.dir.resolve("a").resolve(SampleFiles.nameFor(size)));
        byte[] second = Files.readAllBytes(this.dir.resolve("b").resolve(SampleFiles.nameFor(size)));

        assertThat(first).hasSize((int) size.toBytes()).isEqualTo(second);
        ByteBuffer content = ByteBuffer.wrap(first);
        assertThat(content.getLong(0)).isZero();
        assertThat(content.getLong(SampleFiles.BLOCK)).isEqualTo(1);
        assertThat(Arrays.copyOfRange(first, 8, SampleFiles.BLOCK))
            .isEqualTo(Arrays.copyOfRange(first, SampleFiles.BLOCK + 8, 2 * SampleFiles.BLOCK));
    }

    @Test
    void keepsAFileOfTheRightSizeAndLeavesNoPartialFile() throws IOException {
        DataSize size = DataSize.ofKilobytes(1);
        Path file = this.dir.resolve(SampleFiles.nameFor(size));
        Files.write(file, new byte[1024]);
        SampleFiles.ensure(this.dir, List.of(size));
        assertThat(Files.readAllBytes(file)).containsOnly(0);
        try (var listing = Files.list(this.dir)) {
            assertThat(listing).containsExactly(file);
        }
    }
}
