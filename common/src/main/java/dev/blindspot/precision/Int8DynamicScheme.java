package dev.blindspot.precision;

import dev.blindspot.data.ImageSet;
import dev.blindspot.model.Classifier;
import dev.blindspot.precision.quant.QuantizedGraphs;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * {@code int8-dynamic}: the study's "INT8 dynamic", PyTorch {@code quantize_dynamic} semantics. Only dense
 * layers are quantized: weights int8 per-tensor symmetric (scale = max|w|/127.5), their inputs uint8 per call
 * over [min(x,0), max(x,0)]. Every conv layer stays FP32, so the features most defenses read are
 * bit-identical to FP32's — the study's first measurement problem, reproduced on purpose. Unlike PyTorch,
 * gradients pass (straight-through), so gradient-based defenses keep working.
 */
public final class Int8DynamicScheme implements PrecisionScheme {
    public static final String NAME = "int8-dynamic";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String specification() {
        return "int8-dynamic(layers=dense only,weights=int8 per-tensor symmetric max/127.5,"
                + "activations=uint8 per-call [min(x,0),max(x,0)] at dense inputs,conv=fp32,gradient=straight-through)";
    }

    @Override
    public Classifier apply(Classifier fp32, ImageSet calibration) {
        return fp32.withNetwork(quantize(fp32.network()));
    }

    /** The quantized network (dynamic quantization needs no calibration). */
    public ComputationGraph quantize(ComputationGraph fp32) {
        ComputationGraph g = QuantizedGraphs.derive(fp32, QuantizedGraphs.Activations.DYNAMIC_DENSE_INPUTS, NAME);
        QuantizedGraphs.quantizeWeights(g, QuantizedGraphs.Weights.INT8_PER_TENSOR, true);
        return g;
    }
}
