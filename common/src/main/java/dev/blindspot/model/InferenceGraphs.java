package dev.blindspot.model;

import dev.blindspot.data.ImageSet;
import dev.blindspot.model.layers.ChannelsLast;
import dev.blindspot.model.layers.FusedBatchNormRelu;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An equivalent network for inference only: every convolution that feeds a {@link FusedBatchNormRelu} alone
 * becomes one convolution with the BatchNorm folded in (W·γ/σ, bias β − μ·γ/σ) and ReLU, and the network runs
 * channels-last (NHWC), oneDNN's native layout. It takes NCHW images as the trained graph does (its first layer
 * keeps the {@link ChannelsLast} turn). On {@code compact-cnn} this gives 1.2–1.4× the trained graph's inference
 * throughput (README, "Fast kernels"); outputs agree with the trained graph within float rounding
 * ({@code InferenceGraphsTest}).
 *
 * <p>Only plain FP32 graphs of convolutions, fused BatchNorm-ReLU, max-pooling, global average pooling and a
 * softmax output layer are rewritten; anything else (residual adds, quantizers of the precision schemes,
 * stock BatchNorm) gives {@link Optional#empty()} and the caller keeps the trained graph.
 */
public final class InferenceGraphs {
    private InferenceGraphs() {
    }

    /** Whether {@link #fold} rewrites graphs of this configuration. */
    public static boolean foldable(ComputationGraphConfiguration conf) {
        // The architectures' contract: one NCHW 3×32×32 input (see Architecture), one output.
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            return false;
        }
        Map<String, List<String>> consumers = consumers(conf);
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv) || conf.getVertexInputs().get(e.getKey()).size() != 1) {
                return false;
            }
            // The only preprocessor: the first layer's NCHW → NHWC turn, which the folded graph keeps.
            if (lv.getPreProcessor() != null && !(lv.getPreProcessor() instanceof ChannelsLast
                    && conf.getNetworkInputs().contains(conf.getVertexInputs().get(e.getKey()).get(0)))) {
                return false;
            }
            Layer l = lv.getLayerConf().getLayer();
            boolean ok;
            if (l instanceof ConvolutionLayer c) {
                List<String> next = consumers.getOrDefault(e.getKey(), List.of());
                ok = c.getClass() == ConvolutionLayer.class || c.getClass() == dev.blindspot.model.layers.LinearConvolution.class;
                ok &= !c.hasBias() && c.getActivationFn() instanceof ActivationIdentity && next.size() == 1
                        && layer(conf, next.get(0)) instanceof FusedBatchNormRelu;
            } else if (l instanceof FusedBatchNormRelu) {
                ok = layer(conf, conf.getVertexInputs().get(e.getKey()).get(0)) instanceof ConvolutionLayer;
            } else if (l instanceof SubsamplingLayer s) {
                ok = s.getClass() == SubsamplingLayer.class;
            } else if (l instanceof GlobalPoolingLayer g) {
                ok = g.getPoolingType() == org.deeplearning4j.nn.conf.layers.PoolingType.AVG;
            } else if (l instanceof OutputLayer o) {
                ok = o.getActivationFn() instanceof ActivationSoftmax && o.getLossFn() instanceof LossMCXENT
                        && o.hasBias();
            } else {
                ok = false;
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The folded NHWC network of {@code g}, with its current parameters; empty if {@link #foldable} is false.
     * Vertex names stay (a conv's folded form takes its BatchNorm's name), so readouts by name still work.
     */
    public static Optional<ComputationGraph> fold(ComputationGraph g) {
        ComputationGraphConfiguration conf = g.getConfiguration();
        if (!foldable(conf)) {
            return Optional.empty();
        }
        String input = conf.getNetworkInputs().get(0);
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs(input)
                .setInputTypes(InputType.convolutional(ImageSet.HEIGHT, ImageSet.WIDTH, ImageSet.CHANNELS, CNN2DFormat.NCHW));
        Map<String, float[][]> params = new HashMap<>(); // vertex → {W, b}
        for (String name : conf.getTopologicalOrderStr()) {
            if (name.equals(input)) {
                continue;
            }
            Layer l = layer(conf, name);
            String from = conf.getVertexInputs().get(name).get(0);
            if (l instanceof ConvolutionLayer) {
                continue; // emitted at its BatchNorm
            }
            if (l instanceof FusedBatchNormRelu bn) {
                ConvolutionLayer c = (ConvolutionLayer) layer(conf, from);
                b.addLayer(name, new ConvolutionLayer.Builder(c.getKernelSize()).stride(c.getStride())
                        .padding(c.getPadding()).dilation(c.getDilation()).convolutionMode(c.getConvolutionMode())
                        .nOut(c.getNOut()).hasBias(true).activation(Activation.RELU).dataFormat(CNN2DFormat.NHWC)
                        .build(), conf.getVertexInputs().get(from).get(0));
                if (conf.getVertices().get(from) instanceof LayerVertex lv && lv.getPreProcessor() != null) {
                    b.inputPreProcessor(name, lv.getPreProcessor().clone()); // the input's NCHW → NHWC turn
                }
                BatchNormFolding.Folded f = BatchNormFolding.fold(g, from, name, bn.getEps());
                params.put(name, new float[][] {f.weights(), f.bias()});
            } else if (l instanceof SubsamplingLayer s) {
                b.addLayer(name, new SubsamplingLayer.Builder(s.getPoolingType(), s.getKernelSize(), s.getStride(),
                        s.getPadding()).convolutionMode(s.getConvolutionMode()).dataFormat(CNN2DFormat.NHWC).build(), from);
            } else if (l instanceof GlobalPoolingLayer) {
                // Channels-last: the spatial axes are 1 and 2.
                b.addLayer(name, new GlobalPoolingLayer.Builder(org.deeplearning4j.nn.conf.layers.PoolingType.AVG)
                        .poolingDimensions(1, 2).build(), from);
            } else if (l instanceof OutputLayer o) {
                b.addLayer(name, new OutputLayer.Builder(o.getLossFn()).nOut(o.getNOut())
                        .activation(o.getActivationFn()).build(), from);
                params.put(name, new float[][] {
                    g.getLayer(name).getParam("W").dup('c').data().asFloat(),
                    g.getLayer(name).getParam("b").dup('c').data().asFloat()});
            }
        }
        b.setOutputs(conf.getNetworkOutputs().toArray(String[]::new));
        ComputationGraph folded = new ComputationGraph(b.build());
        folded.init();
        params.forEach((name, wb) -> {
            var layer = folded.getLayer(name);
            INDArray w = layer.getParam("W");
            layer.setParam("W", Nd4j.create(wb[0], w.shape(), 'c'));
            layer.setParam("b", Nd4j.create(wb[1], layer.getParam("b").shape(), 'c'));
        });
        return Optional.of(folded);
    }

    private static Layer layer(ComputationGraphConfiguration conf, String name) {
        return conf.getVertices().get(name) instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    private static Map<String, List<String>> consumers(ComputationGraphConfiguration conf) {
        Map<String, List<String>> out = new HashMap<>();
        conf.getVertexInputs().forEach((v, ins) -> ins.forEach(i -> out.computeIfAbsent(i, k -> new ArrayList<>()).add(v)));
        return out;
    }
}
