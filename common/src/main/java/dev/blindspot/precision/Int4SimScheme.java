package dev.blindspot.precision;

import dev.blindspot.data.ImageSet;
import dev.blindspot.model.Classifier;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code int4-sim}: the study's "INT4 simulated" scheme. Weight-only, 16 levels, per-tensor asymmetric
 * min-max over every conv and dense weight tensor and every BatchNorm γ:
 * {@code scale = (max−min)/15, q = clamp(round((w−min)/scale), 0, 15), w' = q·scale + min}.
 * Biases, BatchNorm β and running statistics, and activations stay FP32. Rounding is half-to-even, as
 * {@code torch.round}. A constant tensor (max = min) is left as it is.
 */
public final class Int4SimScheme implements PrecisionScheme {
    public static final String NAME = "int4-sim";
    static final int LEVELS = 16;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String specification() {
        return "int4-sim(weights=uint4 per-tensor asymmetric min-max on conv/dense W and batchnorm gamma,"
                + "activations=float32,rounding=half-even)";
    }

    @Override
    public Classifier apply(Classifier fp32, ImageSet calibration) {
        ComputationGraph net = fp32.network().clone();
        for (Layer layer : net.getLayers()) {
            if (layer instanceof ConvolutionLayer || layer instanceof DenseLayer || layer instanceof BaseOutputLayer) {
                quantizeParam(layer, "W");
            } else if (layer instanceof BatchNormalization) {
                quantizeParam(layer, "gamma");
            }
        }
        return fp32.withNetwork(net);
    }

    private static void quantizeParam(Layer layer, String key) {
        INDArray p = layer.getParam(key);
        if (p != null) {
            layer.setParam(key, Nd4j.create(fakeQuantize(p.dup('c').data().asFloat()), p.shape(), 'c'));
        }
    }

    /** Fake-quantizes a whole tensor's values to 16 min-max levels. */
    public static float[] fakeQuantize(float[] w) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : w) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (max == min) {
            return w.clone();
        }
        float scale = (max - min) / (LEVELS - 1);
        float[] out = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            float q = (float) Math.rint((w[i] - min) / scale);
            q = Math.max(0, Math.min(LEVELS - 1, q));
            out[i] = q * scale + min;
        }
        return out;
    }
}
