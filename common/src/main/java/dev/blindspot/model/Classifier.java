package dev.blindspot.model;

import dev.blindspot.util.Cancellation;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A network together with the normalization its inputs need: what precision schemes transform and
 * defenses inspect. Raw {@code uint8} images go in; predictions, probabilities and penultimate features
 * come out. Not thread-safe (DL4J networks are not); each task works on its own instance.
 */
public final class Classifier {
    /** Images per inference batch. */
    public static final int INFERENCE_BATCH = 256;
    private static final List<String> READOUT = List.of(Architecture.FEATURES, Architecture.OUTPUT);

    private final ComputationGraph network;
    private final Normalization normalization;
    /** The folded NHWC copy inference runs on where the graph allows ({@link InferenceGraphs}), and the
     *  parameters it was made from (callers may change parameters in place). */
    private ComputationGraph folded;
    private float[] foldedFrom;

    public Classifier(ComputationGraph network, Normalization normalization) {
        this.network = network;
        this.normalization = normalization;
    }

    public ComputationGraph network() {
        return network;
    }

    public Normalization normalization() {
        return normalization;
    }

    public int numClasses() {
        return (int) network.getLayer(Architecture.OUTPUT).getParam("b").length();
    }

    /** An independent deep copy (parameters and configuration). */
    public Classifier copy() {
        return new Classifier(network.clone(), normalization);
    }

    /** A classifier with the same normalization and another network. */
    public Classifier withNetwork(ComputationGraph other) {
        return new Classifier(other, normalization);
    }

    /** The network's outputs on a set, in inference mode. */
    public record Outputs(int[] predictions, float[][] probabilities, float[][] features) {
    }

    /** Predicted labels of every image. */
    public int[] predict(ImageSet set) {
        return run(set.size(), batchesOf(set), false).predictions();
    }

    /** Predictions, class probabilities and penultimate features of every image, in one pass. */
    public Outputs outputs(ImageSet set) {
        return run(set.size(), batchesOf(set), true);
    }

    /** The same for inputs already normalized (NCHW, as {@link Normalization#toInput} makes them). */
    public Outputs outputs(INDArray input) {
        return run((int) input.size(0),
                (from, count) -> input.get(NDArrayIndex.interval(from, from + count)), true);
    }

    /**
     * The output layer alone on penultimate features (rows as {@link #outputs} returns them), with this network's
     * output parameters and quantizers: a model that differs only in its output layer — Fine-Pruning zeroes rows of
     * it — needs one pass through its body, not one per variant. Batched as inference is, so a per-call (dynamic)
     * quantizer sees the same batches.
     */
    public Outputs outputsFromFeatures(float[][] features) {
        GraphVertex output = network.getVertex(Architecture.OUTPUT);
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        int[] predictions = new int[features.length];
        float[][] probabilities = new float[features.length][];
        try {
            for (int from = 0; from < features.length; from += INFERENCE_BATCH) {
                int count = Math.min(INFERENCE_BATCH, features.length - from);
                output.setInput(0, Nd4j.create(Arrays.copyOfRange(features, from, from + count)), noWorkspaces);
                INDArray out = output.doForward(false, noWorkspaces);
                INDArray argmax = out.argMax(1);
                for (int i = 0; i < count; i++) {
                    predictions[from + i] = argmax.getInt(i);
                }
                System.arraycopy(out.toFloatMatrix(), 0, probabilities, from, count);
            }
        } finally {
            output.clear();
        }
        return new Outputs(predictions, probabilities, features);
    }

    /** Batch (from, count) of the set, normalized. */
    private BiFunction<Integer, Integer, INDArray> batchesOf(ImageSet set) {
        return (from, count) -> normalization.toInput(set.pixels(), from, count);
    }

    private Outputs run(int n, BiFunction<Integer, Integer, INDArray> batches, boolean keepAll) {
        int[] predictions = new int[n];
        float[][] probabilities = keepAll ? new float[n][] : null;
        float[][] features = keepAll ? new float[n][] : null;
        ComputationGraph fast = inferenceGraph();
        for (int from = 0; from < n; from += INFERENCE_BATCH) {
            Cancellation.check();
            int count = Math.min(INFERENCE_BATCH, n - from);
            INDArray input = batches.apply(from, count);
            INDArray[] acts = (fast != null ? fast : network).output(READOUT, false, new INDArray[] {input}, null);
            INDArray out = acts[1];
            INDArray argmax = out.argMax(1);
            for (int i = 0; i < count; i++) {
                predictions[from + i] = argmax.getInt(i);
            }
            if (keepAll) {
                float[][] p = out.toFloatMatrix();
                float[][] f = acts[0].toFloatMatrix();
                System.arraycopy(p, 0, probabilities, from, count);
                System.arraycopy(f, 0, features, from, count);
            }
        }
        return new Outputs(predictions, probabilities, features);
    }

    /**
     * The folded channels-last copy of the network for inference, rebuilt whenever the parameters changed since
     * (compared in full: cheap next to one inference batch, and no checksum to collide); null when the network
     * cannot be folded. The configuration is inspected on every call too: a precision scheme may install its
     * quantizers in a network after it was wrapped.
     */
    private ComputationGraph inferenceGraph() {
        if (!InferenceGraphs.foldable(network.getConfiguration())) {
            return null;
        }
        float[] current = network.params().toFloatVector();
        if (folded == null || !Arrays.equals(current, foldedFrom)) {
            folded = InferenceGraphs.fold(network).orElseThrow();
            foldedFrom = current;
        }
        return folded;
    }

    /** Writes the network (configuration and parameters, no updater state) in DL4J's zip format. */
    public void save(OutputStream out) throws IOException {
        ModelSerializer.writeModel(network, out, false);
    }

    /** Reads a network written by {@link #save}. */
    public static Classifier load(InputStream in, Normalization normalization) throws IOException {
        return new Classifier(ModelSerializer.restoreComputationGraph(in, false), normalization);
    }
}
