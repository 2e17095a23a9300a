/**
 * File transfer after Twisted's {@code protocols.basic.FileSender}: a pull producer that reads a file or channel in
 * chunks into a byte consumer.
 */
@NullMarked
package dev.sluice.file;

import org.jspecify.annotations.NullMarked;
