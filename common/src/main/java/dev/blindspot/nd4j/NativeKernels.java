package dev.blindspot.nd4j;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Makes DL4J run its oneDNN kernels, and proves that it does.
 *
 * <p>Out of the box DL4J 1.0.0-M2.1 never uses its oneDNN layer helpers: {@code HelperUtils} skips them
 * unless the system property {@value #HELPERS_PROPERTY} is {@code "false"} (its default is
 * {@code "true"}), and {@code BaseMKLDNNHelper.mklDnnEnabled()} looks the native environment up at a class
 * name that no longer exists (answered by {@link org.nd4j.nativeblas.Nd4jCpu}). Without them convolution
 * runs through im2col, about 16× slower than PyTorch on the same CPU. {@link #enable} fixes both and
 * then builds a one-layer network to check that a helper is really attached; under
 * {@link Policy#REQUIRE} a miss is an error, so a silent slowdown cannot come back.
 */
public final class NativeKernels {
    public static final String HELPERS_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";
    private static final Logger LOG = LoggerFactory.getLogger(NativeKernels.class);

    /** What to do when the fast kernels cannot be activated. */
    public enum Policy {
        /** Fail with an error naming the cause (default: a grid at 1/16 speed is a bug). */
        REQUIRE,
        /** Log a warning and continue on the portable path (CPUs without AVX2, other OSes). */
        WARN;

        public static Policy parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new dev.blindspot.util.InvalidConfigException("runtime.fast-kernels",
                        "'" + s + "' is not one of: require, warn");
            }
        }
    }

    /**
     * What the native backend reports.
     *
     * @param backend       ND4J's backend name (CPU)
     * @param oneDnnBuilt   whether the loaded native library was built with oneDNN
     * @param helpersActive whether a DL4J convolution layer actually got a oneDNN helper
     * @param threads       ND4J's maximum native threads
     */
    public record Status(String backend, boolean oneDnnBuilt, boolean helpersActive, int threads) {
        public String describe() {
            return "nd4j backend=" + backend + " onednn=" + oneDnnBuilt + " helpers=" + helpersActive + " threads=" + threads;
        }
    }

    private static volatile Status status;

    private NativeKernels() {
    }

    /**
     * Activates the oneDNN helpers and sizes ND4J's native thread pools; idempotent per JVM for the same
     * arguments. Call before any network is built (helpers are attached when a layer is created).
     *
     * @param threads native threads per operation; tasks × threads should not exceed the cores
     */
    public static synchronized Status enable(Policy policy, int threads) {
        System.setProperty(HELPERS_PROPERTY, "false");
        if (threads > 0) {
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            Nd4j.getEnvironment().setMaxThreads(threads);
            Nd4j.factory().blas().setMaxThreads(threads);
            useThreadsOnThisThread(threads);
        }
        Status s = probe();
        if (!s.helpersActive()) {
            String why = "DL4J's oneDNN kernels are not active (" + s.describe() + "); training and inference "
                    + "would run ~16x slower. Use the nd4j-native 'linux-x86_64-onednn-avx2' classifier on an "
                    + "AVX2 CPU, or set runtime.fast-kernels = warn to run on the slow portable path.";
            if (policy == Policy.REQUIRE) {
                throw new IllegalStateException(why);
            }
            LOG.warn(why);
        }
        status = s;
        return s;
    }

    private static final ThreadLocal<Integer> OMP_THREADS = new ThreadLocal<>();

    /**
     * Sets OpenMP's thread count (oneDNN's kernels run on OpenMP) for the calling thread. OpenMP keeps this
     * count per thread, so a setting made on one thread does not reach Spark's other task threads, which
     * would use every core each (oversubscribing the executor) and, worse, compute with a thread count that
     * depends on which thread ran the task: a model trained with 1 OpenMP thread differs in its last bits
     * from one trained with 2. Every task calls this before touching a network.
     */
    public static void useThreadsOnThisThread(int threads) {
        if (threads > 0 && !Integer.valueOf(threads).equals(OMP_THREADS.get())) {
            org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
            OMP_THREADS.set(threads);
        }
    }

    /** OpenMP's thread count on the calling thread. */
    public static int threadsOnThisThread() {
        return org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }

    /** The status of the last {@link #enable} call, or a fresh probe if none happened. */
    public static Status status() {
        Status s = status;
        return s != null ? s : probe();
    }

    private static Status probe() {
        String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
        boolean built = BaseMKLDNNHelper.mklDnnEnabled();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.IDENTITY).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(4, 4, 1))
                .build());
        net.init();
        boolean active = ((org.deeplearning4j.nn.layers.convolution.ConvolutionLayer) net.getLayer(0)).getHelper() != null;
        return new Status(backend, built, active, Nd4j.getEnvironment().maxMasterThreads());
    }
}
