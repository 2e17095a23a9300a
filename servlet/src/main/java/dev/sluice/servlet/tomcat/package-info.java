/**
 * Tomcat support for {@code sluice-servlet}: {@link dev.sluice.servlet.tomcat.ConnectionCloserValve}, which lets a
 * failed transfer abort its connection.
 */
@NullMarked
package dev.sluice.servlet.tomcat;

import org.jspecify.annotations.NullMarked;
