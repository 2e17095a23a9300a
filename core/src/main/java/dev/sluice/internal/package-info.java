/**
 * Implementation details shared by Sluice's packages. Not an API: anything here may change without notice.
 */
@NullMarked
package dev.sluice.internal;

import org.jspecify.annotations.NullMarked;
