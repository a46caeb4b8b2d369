package org.nd4j.nativeblas;

/**
 * Compatibility shim that lets DL4J 1.0.0-M2.1 find its own oneDNN switch.
 *
 * <p>{@code org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled()} looks up
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment} by reflection, but 1.0.0-M2.1 moved the generated
 * bindings to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu}. The lookup therefore fails and
 * every oneDNN layer helper (convolution, pooling, batch norm) is silently dropped, leaving the slow
 * im2col path. This class answers that lookup at the old name by delegating to the real bindings; it
 * adds no behaviour of its own (the native method is now called {@code isUseONEDNN}). {@link dev.blindspot.nd4j.NativeKernels} enables and verifies it.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** Mirrors the two methods DL4J calls on the old {@code Nd4jCpu.Environment}. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }
    }
}
