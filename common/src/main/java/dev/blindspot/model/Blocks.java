package dev.blindspot.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import dev.blindspot.model.layers.ChannelsLast;
import dev.blindspot.model.layers.FusedBatchNormRelu;
import dev.blindspot.model.layers.LinearConvolution;

/**
 * The building blocks every architecture shares, each adding named vertices to a graph. Convolutions use
 * explicit padding in {@link ConvolutionMode#Truncate} mode, which is PyTorch's {@code Conv2d(padding=p)}
 * exactly (DL4J's "Same" mode pads only bottom/right for stride 2, shifting the sampling grid).
 */
final class Blocks {
    private Blocks() {
    }

    /**
     * Defaults once on the builder (seed, float, the study's optimizer, L2, the architecture's initialisation
     * of conv and dense weights); then the input. Biases start at 0.
     */
    static GraphBuilder start(TrainingConfig training, long seed, WeightInit init) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(Sgd.updater(training))
                .l2(training.weightDecay())
                .weightInit(init)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs(Architecture.INPUT)
                .setInputTypes(InputType.convolutional(32, 32, 3));
    }

    /**
     * A k×k convolution without bias (a BatchNorm always follows or precedes it), padding (k−1)/2;
     * {@link LayerFlavor#FUSED} skips DL4J's redundant forward recomputation in backprop.
     */
    static String conv(GraphBuilder g, String name, String input, int nOut, int kernel, int stride,
                       LayerFlavor flavor) {
        int pad = (kernel - 1) / 2;
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                .padding(pad, pad).nOut(nOut).hasBias(false).activation(Activation.IDENTITY).dataFormat(format(flavor));
        g.addLayer(name, flavor == LayerFlavor.FUSED ? new LinearConvolution(b) : b.build(), input);
        if (flavor == LayerFlavor.FUSED && input.equals(Architecture.INPUT)) {
            g.inputPreProcessor(name, new ChannelsLast()); // the network takes NCHW images
        }
        return name;
    }

    /**
     * {@link LayerFlavor#FUSED} computes channels-last: oneDNN's forward convolutions then read and write their
     * native layout (channels-first costs three reorders around each call) and its max-pool is fast. Measured
     * on compact-cnn training, 2 workers × 1 thread, the same fused BatchNorm passes in each layout (throwaway
     * probe, two runs): 765–919 images/s channels-last vs 670–767 channels-first. STOCK stays DL4J's default.
     */
    static CNN2DFormat format(LayerFlavor flavor) {
        return flavor == LayerFlavor.FUSED ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
    }

    /**
     * BatchNorm then ReLU. {@link LayerFlavor#FUSED}: one {@link FusedBatchNormRelu} layer.
     * {@link LayerFlavor#STOCK}: DL4J's own layers, BatchNormalization then an ActivationLayer — two layers
     * because DL4J's BatchNormalization ignores its activation function (its activate() returns the
     * normalized pre-output), so a ReLU set on it would silently vanish. Both have the same parameters.
     */
    static String bnRelu(GraphBuilder g, String name, String input, LayerFlavor flavor) {
        if (flavor == LayerFlavor.FUSED) {
            g.addLayer(name, new FusedBatchNormRelu(), input);
            return name;
        }
        g.addLayer(name, new BatchNormalization.Builder().useLogStd(false).eps(1e-5).decay(0.9).build(), input);
        g.addLayer(name + "_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), name);
        return name + "_relu";
    }

    static String maxPool(GraphBuilder g, String name, String input, LayerFlavor flavor) {
        g.addLayer(name, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                .dataFormat(format(flavor)).build(), input);
        return name;
    }

    /**
     * Global average pool as the {@link Architecture#FEATURES} vertex, then the softmax classifier, its
     * weights drawn by {@code outputInit}.
     */
    static ComputationGraph finish(GraphBuilder g, String input, int numClasses, LayerFlavor flavor,
                                   WeightInit outputInit) {
        GlobalPoolingLayer.Builder pool = new GlobalPoolingLayer.Builder(PoolingType.AVG);
        if (format(flavor) == CNN2DFormat.NHWC) {
            pool.poolingDimensions(1, 2); // the spatial axes
        }
        g.addLayer(Architecture.FEATURES, pool.build(), input);
        g.addLayer(Architecture.OUTPUT, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nOut(numClasses).activation(Activation.SOFTMAX).weightInit(outputInit).build(),
                Architecture.FEATURES);
        g.setOutputs(Architecture.OUTPUT);
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }
}
