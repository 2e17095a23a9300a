package dev.sluice.sample.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.sluice.sample.files.FileCatalog.BadFileNameException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class FileCatalogTest {

    @TempDir
    Path root;

    @ParameterizedTest
    @ValueSource(strings = { "..", ".", "", "../secret.txt", "..\\secret.txt", "/etc/passwd", "a/b", "a\\b",
            "a..b", ".hidden", "nul\u0000", "tab\tname" })
    void refusesAnythingButAPlainName(String name) throws IOException {
        FileCatalog catalog = catalog();
        assertThatExceptionOfType(BadFileNameException.class).isThrownBy(() -> catalog.find(name));
    }

    @Test
    void findsPlainNamesInTheDirectoryOnly() throws IOException {
        FileCatalog catalog = catalog();
        assertThat(catalog.find("data.bin")).hasValue(this.root.resolve("files/data.bin").toRealPath());
        assertThat(catalog.find("missing.bin")).isEmpty();
        assertThat(catalog.find("sub")).isEmpty();
        assertThat(catalog.find("data.bin.partial")).isEmpty();
    }

    @Test
    void doesNotFollowALinkOutOfTheDirectory() throws IOException {
        FileCatalog catalog = catalog();
        Files.createSymbolicLink(this.root.resolve("files/link.txt"), this.root.resolve("secret.txt"));
        assertThat(catalog.find("link.txt")).isEmpty();
        assertThat(catalog.list()).extracting(FileCatalog.Entry::name).containsExactly("data.bin");
    }

    @Test
    void listsRegularFilesWithTheirSizes() throws IOException {
        assertThat(catalog().list()).containsExactly(new FileCatalog.Entry("data.bin", 3));
    }

    @Test
    void listsInNaturalOrder() throws IOException {
        FileCatalog catalog = catalog();
        for (String name : new String[] { "10MiB.bin", "2MiB.bin", "1MiB.bin", "a 100.txt", "a 20.txt" }) {
            Files.write(catalog.dir().resolve(name), new byte[1]);
        }
        assertThat(catalog.list()).extracting(FileCatalog.Entry::name)
            .containsExactly("1MiB.bin", "2MiB.bin", "10MiB.bin", "a 20.txt", "a 100.txt", "data.bin");
    }

    private FileCatalog catalog() throws IOException {
        Path dir = Files.createDirectories(this.root.resolve("files"));
        Files.write(dir.resolve("data.bin"), new byte[] {1, 2, 3});
        Files.write(dir.resolve("data.bin.partial"), new byte[] {1});
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(this.root.resolve("secret.txt"), "secret");
        return new FileCatalog(dir);
    }
}
