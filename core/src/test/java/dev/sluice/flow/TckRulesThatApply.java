package dev.sluice.flow;

import java.util.List;

import org.testng.IMethodInstance;
import org.testng.IMethodInterceptor;
import org.testng.ITestContext;

/**
 * Leaves out of a Reactive Streams TCK run the methods that can only skip: the TCK's placeholders for rules it cannot
 * test ({@code untested_*}, which always skip) and its multicast rules ({@code optional_spec111_*}), which do not apply
 * to Sluice's unicast publisher. Every rule that can be verified still runs, and the build reports no skipped tests.
 */
public final class TckRulesThatApply implements IMethodInterceptor {

    @Override
    public List<IMethodInstance> intercept(List<IMethodInstance> methods, ITestContext context) {
        return methods.stream().filter(method -> applies(method.getMethod().getMethodName())).toList();
    }

    private static boolean applies(String name) {
        return !name.startsWith("untested_") && !name.startsWith("optional_spec111_");
    }
}
