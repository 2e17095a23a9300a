/**
 * The name index of producers and consumers, in groups: what each is doing now, read on demand from the consumers'
 * owner loops; operator control by name; live group figures for meters read at scrape time.
 */
@NullMarked
package dev.sluice.registry;

import org.jspecify.annotations.NullMarked;
