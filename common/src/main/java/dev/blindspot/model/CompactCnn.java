package dev.blindspot.model;

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
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@code compact-cnn} (DESIGN.md §4): conv3×3 32-32 · maxpool · 64-64 · maxpool · 128 · maxpool, each conv
 * followed by BatchNorm and ReLU; global average pool (the penultimate features, 128-d); dense → classes.
 * About 29 MMAC per 32×32 image, sized for CPUs.
 */
public final class CompactCnn implements Architecture {
    public static final String NAME = "compact-cnn";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MultiLayerNetwork build(int numClasses, TrainingConfig training, long seed) {
        var layers = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(Sgd.updater(training))
                .l2(training.weightDecay())
                .weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Same)
                .list();
        int[] widths = {32, 32, -1, 64, 64, -1, 128, -1};
        for (int w : widths) {
            if (w < 0) {
                layers.layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build());
            } else {
                // No conv bias: the BatchNorm that follows has its own shift.
                layers.layer(new ConvolutionLayer.Builder(3, 3).nOut(w).hasBias(false).activation(Activation.IDENTITY).build());
                layers.layer(new BatchNormalization.Builder().build());
                layers.layer(new ActivationLayer.Builder().activation(Activation.RELU).build());
            }
        }
        layers.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build());
        layers.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nOut(numClasses).activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build());
        MultiLayerNetwork net = new MultiLayerNetwork(layers
                .setInputType(InputType.convolutional(32, 32, 3))
                .build());
        net.init();
        return net;
    }
}
