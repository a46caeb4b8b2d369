package dev.blindspot.grid;

import dev.blindspot.nd4j.NativeKernels;

/**
 * Per-JVM set-up that every task (driver or executor) runs before touching a network: DL4J's fast kernels
 * (checked, see {@link NativeKernels}) and ND4J's native thread count.
 */
final class ExecutorRuntime {
    private static volatile String configured;

    private ExecutorRuntime() {
    }

    /**
     * @param threadsPerTask native threads each task may use; the driver passes Spark's cores per task so
     *                       that concurrent tasks × threads does not oversubscribe the executor's cores
     */
    static synchronized NativeKernels.Status ensure(NativeKernels.Policy policy, int threadsPerTask) {
        String key = policy + "/" + threadsPerTask;
        if (!key.equals(configured)) {
            NativeKernels.enable(policy, threadsPerTask);
            configured = key;
        }
        NativeKernels.useThreadsOnThisThread(threadsPerTask); // per thread: see there
        return NativeKernels.status();
    }
}
