package dev.sluice.twisted.web2;

import static dev.sluice.twisted.web2.StreamTesting.bytes;
import static dev.sluice.twisted.web2.StreamTesting.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Port of {@code TestSubstream} (W2-B2). */
class SubstreamTest {

    private static final String DATA = "I was angry with my friend:\r\nI told my wrath, my wrath did end.\r\n";

    private static MemoryStream source() {
        return new MemoryStream(bytes(DATA));
    }

    @Test
    @DisplayName("W2-B2 testStart: a substream from the start")
    void w2b2_start() {
        assertThat(readAll(ByteStreams.substream(source(), 0, 11))).isEqualTo(DATA.substring(0, 11));
    }

    @Test
    @DisplayName("W2-B2 testNotStart: a substream from inside")
    void w2b2_notStart() {
        ByteStream sub = ByteStreams.substream(source(), 2, 11);
        assertThat(sub.length()).hasValue(9);
        assertThat(readAll(sub)).isEqualTo(DATA.substring(2, 11));
    }

    @Test
    @DisplayName("W2-B2 testReverseStartEnd: start > end is an IllegalArgumentException")
    void w2b2_reverseStartEnd() {
        assertThatThrownBy(() -> ByteStreams.substream(source(), 11, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ByteStreams.substream(source(), -1, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("W2-B2 testEmptySubstream: start == end gives an empty stream")
    void w2b2_emptySubstream() {
        ByteStream sub = ByteStreams.substream(source(), 11, 11);
        assertThat(sub.length()).hasValue(0);
        assertThat(readAll(sub)).isEmpty();
    }

    @Test
    @DisplayName("W2-B2 testEnd: a substream up to the end")
    void w2b2_end() {
        int end = DATA.length();
        assertThat(readAll(ByteStreams.substream(source(), end - 11, end))).isEqualTo(DATA.substring(end - 11));
        assertThat(readAll(ByteStreams.substream(source(), 5))).isEqualTo(DATA.substring(5));
    }

    @Test
    @DisplayName("W2-B2 testPastEnd: an end past the stream is an IllegalArgumentException")
    void w2b2_pastEnd() {
        int end = DATA.length();
        assertThatThrownBy(() -> ByteStreams.substream(source(), end - 11, end + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("end");
    }

    @Test
    @DisplayName("W2-B2 a substream of a stream of unknown length uses fallback splits")
    void w2b2_unknownLengthSource() {
        ScriptedStream scripted = new ScriptedStream("abcd", "efgh", "ijkl");
        ByteStream sub = ByteStreams.substream(scripted, 3, 9);
        assertThat(readAll(sub)).isEqualTo("defghi");
    }
}
