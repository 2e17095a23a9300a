package dev.sluice.internal;

import org.jspecify.annotations.Nullable;

/**
 * The library's logger. SLF4J is an optional dependency of {@code sluice-core}: when it is on the class path every
 * message goes through it; without it, messages go to the JDK's {@link System.Logger}, never to standard output.
 */
public final class Log {

    private static final boolean SLF4J = isPresent("org.slf4j.LoggerFactory");

    private final @Nullable Object slf4j;
    private final System.@Nullable Logger jdk;

    private Log(String name) {
        if (SLF4J) {
            this.slf4j = org.slf4j.LoggerFactory.getLogger(name);
            this.jdk = null;
        }
        else {
            this.slf4j = null;
            this.jdk = System.getLogger(name);
        }
    }

    /** Returns the logger named after {@code type}. */
    public static Log of(Class<?> type) {
        return new Log(type.getName());
    }

    public boolean isDebugEnabled() {
        return (this.slf4j != null) ? ((org.slf4j.Logger) this.slf4j).isDebugEnabled()
                : this.jdk.isLoggable(System.Logger.Level.DEBUG);
    }

    public void debug(String message, Object... args) {
        if (this.slf4j != null) {
            ((org.slf4j.Logger) this.slf4j).debug(message, args);
        }
        else if (this.jdk.isLoggable(System.Logger.Level.DEBUG)) {
            this.jdk.log(System.Logger.Level.DEBUG, format(message, args));
        }
    }

    public void info(String message, Object... args) {
        if (this.slf4j != null) {
            ((org.slf4j.Logger) this.slf4j).info(message, args);
        }
        else {
            this.jdk.log(System.Logger.Level.INFO, format(message, args));
        }
    }

    public void warn(String message, Object... args) {
        if (this.slf4j != null) {
            ((org.slf4j.Logger) this.slf4j).warn(message, args);
        }
        else {
            this.jdk.log(System.Logger.Level.WARNING, format(message, args));
        }
    }

    /** Logs at error level; a trailing {@link Throwable} argument is logged as the cause, as SLF4J does. */
    public void error(String message, Object... args) {
        if (this.slf4j != null) {
            ((org.slf4j.Logger) this.slf4j).error(message, args);
        }
        else {
            Throwable cause = (args.length > 0 && args[args.length - 1] instanceof Throwable t) ? t : null;
            this.jdk.log(System.Logger.Level.ERROR, format(message, args), cause);
        }
    }

    private static String format(String message, Object... args) {
        StringBuilder out = new StringBuilder(message.length() + 32);
        int arg = 0;
        int from = 0;
        int at;
        while ((at = message.indexOf("{}", from)) >= 0) {
            out.append(message, from, at);
            out.append((arg < args.length) ? String.valueOf(args[arg++]) : "{}");
            from = at + 2;
        }
        return out.append(message, from, message.length()).toString();
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, Log.class.getClassLoader());
            return true;
        }
        catch (ClassNotFoundException | LinkageError ex) {
            return false;
        }
    }
}
