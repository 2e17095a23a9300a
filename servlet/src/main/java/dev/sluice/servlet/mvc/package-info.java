/**
 * Spring MVC support for {@code sluice-servlet}: controllers return a {@link dev.sluice.servlet.SluiceBody}, which
 * {@link dev.sluice.servlet.mvc.SluiceBodyReturnValueHandler} sends with back-pressure.
 */
@NullMarked
package dev.sluice.servlet.mvc;

import org.jspecify.annotations.NullMarked;
