package dev.blindspot.precision.quant;

import dev.blindspot.data.ImageSet;
import dev.blindspot.model.BatchNormFolding;
import dev.blindspot.model.Classifier;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.ComposableInputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Derives a quantized network from a trained FP32 one without touching it: a copy of its graph with
 * activation quantizers installed at the quantization points, BatchNorm folded, weights fake-quantized.
 *
 * <p>Quantization points ({@link Activations#STATIC}, PyTorch eager-mode static quantization as deployed):
 * the network input; the output of every conv and dense layer — after its BatchNorm (folded) and, where
 * BatchNorm and ReLU follow it, after the ReLU, as PyTorch's fused ConvBnReLU module observes it; and the
 * logits. ReLU and pooling keep their input's quantization, so no point sits after them. A point is
 * installed as the input quantizer of each consuming layer; where a consumer is not a layer (the element-wise
 * add of a residual block) the value reaches it unquantized — a known deviation for preact-resnet18's
 * identity shortcuts. {@link Activations#DYNAMIC_DENSE_INPUTS} quantizes only the inputs of dense layers,
 * per call (PyTorch's {@code quantize_dynamic}).
 */
public final class QuantizedGraphs {
    public enum Activations { NONE, DYNAMIC_DENSE_INPUTS, STATIC }

    private QuantizedGraphs() {
    }

    /** A copy of {@code fp32}'s graph with quantizers at the points of {@code activations}, FP32 parameters. */
    public static ComputationGraph derive(ComputationGraph fp32, Activations activations, String scheme) {
        ComputationGraphConfiguration conf = fp32.getConfiguration().clone();
        Map<String, GraphVertex> vertices = conf.getVertices();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        for (Map.Entry<String, GraphVertex> e : vertices.entrySet()) {
            if (e.getValue() instanceof LayerVertex lv) {
                Layer l = lv.getLayerConf().getLayer();
                if (l.initializer().numParams(lv.getLayerConf()) > 0 && !(l instanceof ConvolutionLayer
                        || l instanceof DenseLayer || l instanceof BaseOutputLayer || l instanceof BatchNormalization)) {
                    throw new IllegalArgumentException("precision " + scheme + ": cannot quantize layer '" + e.getKey()
                            + "' of type " + l.getClass().getSimpleName());
                }
            }
        }
        if (activations == Activations.DYNAMIC_DENSE_INPUTS) {
            for (GraphVertex v : vertices.values()) {
                if (v instanceof LayerVertex lv && isDense(lv)) {
                    addQuantizer(lv, ActivationQuantizer.Mode.DYNAMIC);
                }
            }
        } else if (activations == Activations.STATIC) {
            List<String> points = new ArrayList<>(conf.getNetworkInputs());
            for (Map.Entry<String, GraphVertex> e : vertices.entrySet()) {
                if (e.getValue() instanceof LayerVertex lv && isPoint(e.getKey(), lv, vertices, inputs)) {
                    points.add(e.getKey());
                }
            }
            for (String point : points) {
                for (String c : consumers(inputs, point)) {
                    if (vertices.get(c) instanceof LayerVertex cv) {
                        addQuantizer(cv, ActivationQuantizer.Mode.OBSERVE);
                    }
                }
            }
            for (String out : conf.getNetworkOutputs()) {
                if (vertices.get(out) instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseOutputLayer o) {
                    o.setActivationFn(new QuantizedActivation(o.getActivationFn(), new ActivationQuantizer(ActivationQuantizer.Mode.OBSERVE)));
                }
            }
        }
        ComputationGraph g = new ComputationGraph(conf);
        g.init(fp32.params().dup(), false);
        return g;
    }

    /**
     * Whether a layer's output is a quantization point: a conv or dense layer, unless its only consumer is
     * a BatchNorm (folded into it, so the point moves after the BatchNorm); a BatchNorm, unless a separate
     * activation layer follows it (PyTorch's fused ConvBnReLU observes after the ReLU); such an activation
     * layer. The output layer is handled by its activation.
     */
    private static boolean isPoint(String name, LayerVertex lv, Map<String, GraphVertex> vertices,
                                   Map<String, List<String>> inputs) {
        Layer l = lv.getLayerConf().getLayer();
        List<String> consumers = consumers(inputs, name);
        if (l instanceof BaseOutputLayer) {
            return false;
        }
        if (l instanceof ConvolutionLayer || l instanceof DenseLayer) {
            return !(consumers.size() == 1 && layerOf(vertices, consumers.get(0)) instanceof BatchNormalization);
        }
        if (l instanceof BatchNormalization) {
            return consumers.stream().noneMatch(c -> layerOf(vertices, c) instanceof ActivationLayer);
        }
        if (l instanceof ActivationLayer) {
            List<String> in = inputs.get(name);
            return in.size() == 1 && layerOf(vertices, in.get(0)) instanceof BatchNormalization;
        }
        return false;
    }

    private static Layer layerOf(Map<String, GraphVertex> vertices, String name) {
        return vertices.get(name) instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    private static boolean isDense(LayerVertex lv) {
        Layer l = lv.getLayerConf().getLayer();
        return l instanceof DenseLayer || l instanceof BaseOutputLayer;
    }

    private static List<String> consumers(Map<String, List<String>> inputs, String vertex) {
        List<String> out = new ArrayList<>();
        inputs.forEach((v, in) -> {
            if (in.contains(vertex)) {
                out.add(v);
            }
        });
        return out;
    }

    private static void addQuantizer(LayerVertex lv, ActivationQuantizer.Mode mode) {
        InputPreProcessor existing = lv.getPreProcessor();
        ActivationQuantizer q = new ActivationQuantizer(mode);
        lv.setPreProcessor(existing == null ? q : new ComposableInputPreProcessor(existing, q));
    }

    /** Every activation quantizer of a derived graph (layer inputs and the output activation). */
    public static List<ActivationQuantizer> quantizers(ComputationGraph g) {
        List<ActivationQuantizer> out = new ArrayList<>();
        for (GraphVertex v : g.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                InputPreProcessor p = lv.getPreProcessor();
                if (p instanceof ActivationQuantizer q) {
                    out.add(q);
                } else if (p instanceof ComposableInputPreProcessor c) {
                    for (InputPreProcessor inner : c.getInputPreProcessors()) {
                        if (inner instanceof ActivationQuantizer q) {
                            out.add(q);
                        }
                    }
                }
                if (lv.getLayerConf().getLayer() instanceof BaseOutputLayer o && o.getActivationFn() instanceof QuantizedActivation qa) {
                    out.add(qa.quantizer());
                }
            }
        }
        return out;
    }

    /** Runs calibration batches (network inputs) through the observers in inference mode, then freezes every range. */
    public static void calibrate(ComputationGraph g, List<INDArray> batches, String scheme) {
        if (batches.isEmpty() || batches.stream().allMatch(b -> b.size(0) == 0)) {
            throw new IllegalArgumentException("precision " + scheme + ": the calibration set has no images "
                    + "(precisions.calibration-images and defender.clean-split must be > 0)");
        }
        for (INDArray b : batches) {
            g.output(false, b);
        }
        for (ActivationQuantizer q : quantizers(g)) {
            q.freeze();
        }
    }

    /** The normalized network inputs of a calibration image set, in inference batches. */
    public static List<INDArray> batches(Classifier model, ImageSet images) {
        List<INDArray> out = new ArrayList<>();
        if (images == null) {
            return out;
        }
        for (int from = 0; from < images.size(); from += Classifier.INFERENCE_BATCH) {
            int n = Math.min(Classifier.INFERENCE_BATCH, images.size() - from);
            out.add(model.normalization().toInput(images.pixels(), from, n));
        }
        return out;
    }

    /**
     * Folds every BatchNorm that directly follows a conv (and is that conv's only consumer) into the conv:
     * W[o] ← W[o]·γ_o/σ_o; the BatchNorm becomes x + (β − μ·γ/σ) (γ = 1, μ = 0, σ = 1), which is the folded
     * conv's bias. BatchNorms elsewhere (preact-resnet18's pre-activations) stay as they are, in FP32.
     */
    public static void foldBatchNorm(ComputationGraph g, String scheme) {
        ComputationGraphConfiguration conf = g.getConfiguration();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv) || !(lv.getLayerConf().getLayer() instanceof BatchNormalization bn)) {
                continue;
            }
            List<String> in = conf.getVertexInputs().get(e.getKey());
            String convName = in.get(0);
            if (!(conf.getVertices().get(convName) instanceof LayerVertex cv && cv.getLayerConf().getLayer() instanceof ConvolutionLayer)
                    || consumers(conf.getVertexInputs(), convName).size() != 1) {
                continue;
            }
            var bnLayer = g.getLayer(e.getKey());
            if (bnLayer.getParam("var") == null) {
                throw new IllegalArgumentException("precision " + scheme + ": cannot fold BatchNorm '" + e.getKey()
                        + "' (it stores log10 std, not a variance)");
            }
            BatchNormFolding.Folded f = BatchNormFolding.fold(g, convName, e.getKey(), bn.getEps());
            INDArray w = g.getLayer(convName).getParam("W");
            g.getLayer(convName).setParam("W", Nd4j.create(f.weights(), w.shape(), 'c').castTo(w.dataType()));
            // The BatchNorm is left as the bias alone: γ = 1, μ = 0, and var + eps = 1 so that σ = 1.
            int channels = f.bias().length;
            float[] gamma = new float[channels];
            float[] mean = new float[channels];
            float[] var = new float[channels];
            java.util.Arrays.fill(gamma, 1f);
            java.util.Arrays.fill(var, (float) (1 - bn.getEps()));
            set(bnLayer, "gamma", gamma);
            set(bnLayer, "beta", f.bias());
            set(bnLayer, "mean", mean);
            set(bnLayer, "var", var);
        }
    }

    private static void set(org.deeplearning4j.nn.api.Layer layer, String key, float[] v) {
        INDArray p = layer.getParam(key);
        layer.setParam(key, Nd4j.create(v, p.shape(), 'c').castTo(p.dataType()));
    }

    /** How weights are quantized. */
    public enum Weights { INT8_PER_TENSOR, INT8_PER_CHANNEL, INT4_PER_CHANNEL }

    /**
     * Fake-quantizes the weights "W" of the selected layers: conv weights per output channel along their
     * first axis, dense weights (DL4J's [in, out]) per output column.
     */
    public static void quantizeWeights(ComputationGraph g, Weights weights, boolean denseOnly) {
        for (GraphVertex v : g.getConfiguration().getVertices().values()) {
            if (!(v instanceof LayerVertex lv)) {
                continue;
            }
            Layer l = lv.getLayerConf().getLayer();
            boolean conv = l instanceof ConvolutionLayer;
            boolean dense = l instanceof DenseLayer || l instanceof BaseOutputLayer;
            if (!(dense || (conv && !denseOnly))) {
                continue;
            }
            var layer = g.getLayer(l.getLayerName());
            INDArray w = layer.getParam("W");
            float[] d = w.dup('c').data().asFloat();
            float[] q;
            if (weights == Weights.INT8_PER_TENSOR) {
                q = FakeQuant.symmetricPerTensor(d, 8);
            } else {
                int bits = weights == Weights.INT8_PER_CHANNEL ? 8 : 4;
                if (conv) {
                    int out = (int) w.size(0);
                    q = FakeQuant.symmetricPerChannel(d, out, d.length / out, d.length / out, 1, bits);
                } else {
                    int in = (int) w.size(0);
                    int out = (int) w.size(1);
                    q = FakeQuant.symmetricPerChannel(d, out, in, 1, out, bits);
                }
            }
            layer.setParam("W", Nd4j.create(q, w.shape(), 'c').castTo(w.dataType()));
        }
    }
}
