package dev.sluice.twisted.web2;

import java.util.OptionalLong;

/** A base for test streams that do not know their length and split with {@link ByteStream#fallbackSplit}. */
abstract class UnknownLengthStream implements ByteStream {

    @Override
    public final OptionalLong length() {
        return OptionalLong.empty();
    }

    @Override
    public final Split split(long point) {
        return ByteStream.fallbackSplit(this, point);
    }
}
