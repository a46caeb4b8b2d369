package dev.blindspot.precision;

import dev.blindspot.data.ImageSet;
import dev.blindspot.model.Classifier;
import dev.blindspot.precision.quant.QuantizedGraphs;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Static post-training quantization as deployed (PyTorch eager mode: fuse, observe, convert): BatchNorm
 * folded into the conv before it where the graph allows; activations uint8 per-tensor affine with ranges
 * from min/max over a calibration set of clean training images (observed with the float, folded weights);
 * conv and dense weights symmetric per output channel. See {@link QuantizedGraphs} for where activations are
 * quantized. Gradients pass straight-through inside the calibrated ranges.
 *
 * <p>{@code int8}: int8 weights (q in −128…127, scale max|w_c|/127.5). {@code int4}: W4A8, int4 weights
 * (q in −8…7, scale max|w_c|/7.5), activations as {@code int8}.
 */
public final class StaticQuantScheme implements PrecisionScheme {
    public static final String INT8 = "int8";
    public static final String INT4 = "int4";

    private final String name;
    private final QuantizedGraphs.Weights weights;

    private StaticQuantScheme(String name, QuantizedGraphs.Weights weights) {
        this.name = name;
        this.weights = weights;
    }

    public static StaticQuantScheme int8() {
        return new StaticQuantScheme(INT8, QuantizedGraphs.Weights.INT8_PER_CHANNEL);
    }

    public static StaticQuantScheme int4() {
        return new StaticQuantScheme(INT4, QuantizedGraphs.Weights.INT4_PER_CHANNEL);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String specification() {
        String w = weights == QuantizedGraphs.Weights.INT8_PER_CHANNEL ? "int8 [-128,127] max|w_c|/127.5" : "int4 [-8,7] max|w_c|/7.5";
        return name + "(weights=" + w + " per-output-channel symmetric on conv/dense,batchnorm=folded into preceding conv,"
                + "activations=uint8 per-tensor affine calibrated min/max at input/conv/dense outputs,"
                + "gradient=straight-through)";
    }

    @Override
    public Classifier apply(Classifier fp32, ImageSet calibration) {
        return fp32.withNetwork(quantize(fp32.network(), QuantizedGraphs.batches(fp32, calibration)));
    }

    /** The quantized network, calibrated on {@code calibration} (normalized network inputs). */
    public ComputationGraph quantize(ComputationGraph fp32, List<INDArray> calibration) {
        ComputationGraph g = QuantizedGraphs.derive(fp32, QuantizedGraphs.Activations.STATIC, name);
        QuantizedGraphs.foldBatchNorm(g, name);
        QuantizedGraphs.calibrate(g, calibration, name);
        QuantizedGraphs.quantizeWeights(g, weights, false);
        return g;
    }
}
