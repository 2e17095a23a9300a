package dev.sluice.sample.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The files that may be downloaded: the regular files directly in one directory, by plain name.
 *
 * <p>A name is checked before it touches the file system: empty, {@code .}, anything containing {@code ..}, a
 * separator ({@code /} or {@code \}), a NUL or a control character, or a leading dot (hidden files) is refused with
 * {@link BadFileNameException}. What is left is resolved in the directory and checked again: its real path must be a
 * regular file whose parent is the directory's real path, so a symbolic link out of the directory is not followed.
 */
public final class FileCatalog {

    private final Path dir;

    /**
     * A catalog of {@code dir}.
     *
     * @param dir the directory
     */
    public FileCatalog(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The directory served. */
    public Path dir() {
        return this.dir;
    }

    /** The files, in {@linkplain #natural natural order} of their names, with their sizes. */
    public List<Entry> list() throws IOException {
        if (!Files.isDirectory(this.dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(this.dir)) {
            return files.filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                .map(file -> file.getFileName().toString())
                .filter(name -> !name.startsWith(".") && !name.endsWith(".partial"))
                .sorted(FileCatalog::natural)
                .map(name -> new Entry(name, size(this.dir.resolve(name))))
                .toList();
        }
    }

    /**
     * The file called {@code name}, if there is one.
     *
     * @throws BadFileNameException if the name is not a plain file name
     */
    public Optional<Path> find(String name) throws IOException {
        check(name);
        Path file = this.dir.resolve(name).normalize();
        if (!this.dir.equals(file.getParent()) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                || name.endsWith(".partial")) {
            return Optional.empty();
        }
        Path real = file.toRealPath();
        if (!this.dir.toRealPath().equals(real.getParent())) {
            return Optional.empty();
        }
        return Optional.of(real);
    }

    /**
     * Checks that {@code name} is a plain file name.
     *
     * @throws BadFileNameException if it is not
     */
    static void check(String name) {
        String reason = null;
        if (name.isEmpty()) {
            reason = "it is empty";
        }
        else if (name.contains("..")) {
            reason = "it contains '..'";
        }
        else if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            reason = "it contains a path separator";
        }
        else if (name.startsWith(".")) {
            reason = "hidden files (names starting with '.') are not served";
        }
        else if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            reason = "it contains a control character";
        }
        if (reason != null) {
            throw new BadFileNameException(name, reason);
        }
    }

    /** A name as it may be shown in an answer: at most 64 characters, control characters replaced. */
    static String shown(String name) {
        String printable = name.codePoints()
            .map(c -> (c < 0x20 || c == 0x7f) ? '?' : c)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();
        return (printable.length() <= 64) ? printable : printable.substring(0, 64) + "...";
    }

    /** Compares names with their runs of digits as numbers: {@code 2MiB.bin} before {@code 10MiB.bin}. */
    static int natural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int endA = digitsEnd(a, i);
                int endB = digitsEnd(b, j);
                String numberA = a.substring(i, endA).replaceFirst("^0+(?=.)", "");
                String numberB = b.substring(j, endB).replaceFirst("^0+(?=.)", "");
                int order = (numberA.length() != numberB.length()) ? Integer.compare(numberA.length(), numberB.length())
                        : numberA.compareTo(numberB);
                if (order != 0) {
                    return order;
                }
                i = endA;
                j = endB;
            }
            else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        int order = Integer.compare(a.length() - i, b.length() - j);
        return (order != 0) ? order : a.compareTo(b);
    }

    private static int digitsEnd(String text, int from) {
        int end = from;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return end;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        }
        catch (IOException ex) {
            return -1;
        }
    }

    /**
     * A file that may be downloaded.
     *
     * @param name its name
     * @param size its size in bytes
     */
    public record Entry(String name, long size) {
    }

    /** A file name that is not a plain name in the directory: a 400. */
    public static final class BadFileNameException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        BadFileNameException(String name, String reason) {
            super("Not a plain file name: '" + shown(name) + "': " + reason);
        }
    }
}
