package dev.blindspot.model;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Folding a BatchNorm (in inference mode) into the bias-free convolution before it: W[o] ← W[o]·γ_o/σ_o and a
 * bias β_o − μ_o·γ_o/σ_o, with σ = sqrt(var + eps). Used by the precision schemes, which quantize the folded
 * weights as deployment does, and by the inference copy of a network ({@link InferenceGraphs}).
 */
public final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /**
     * @param weights the conv's weights, output channel first, scaled
     * @param bias    one per output channel
     */
    public record Folded(float[] weights, float[] bias) {
    }

    /** The folded weights and bias of conv {@code conv} followed by BatchNorm {@code bn} of {@code g}. */
    public static Folded fold(ComputationGraph g, String conv, String bn, double eps) {
        var norm = g.getLayer(bn);
        float[] gamma = norm.getParam("gamma").dup().data().asFloat();
        float[] beta = norm.getParam("beta").dup().data().asFloat();
        float[] mean = norm.getParam("mean").dup().data().asFloat();
        float[] var = norm.getParam("var").dup().data().asFloat();
        float[] w = g.getLayer(conv).getParam("W").dup('c').data().asFloat();
        int perOut = w.length / gamma.length;
        float[] bias = new float[gamma.length];
        for (int o = 0; o < gamma.length; o++) {
            float s = (float) (gamma[o] / Math.sqrt(var[o] + eps));
            for (int k = 0; k < perOut; k++) {
                w[o * perOut + k] *= s;
            }
            bias[o] = beta[o] - mean[o] * s;
        }
        return new Folded(w, bias);
    }
}
