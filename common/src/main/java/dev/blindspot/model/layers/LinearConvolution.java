package dev.blindspot.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * A convolution with identity activation (every conv here feeds a BatchNorm), computed by
 * {@link LinearConvolutionLayer}, which skips the second forward convolution DL4J 1.0.0-M2.1 runs in every
 * backward pass only to differentiate the activation function — about 15% of a training step.
 */
public class LinearConvolution extends ConvolutionLayer {

    /** For DL4J's JSON deserialization; fields are then set from the saved configuration. */
    public LinearConvolution() {
        super();
    }

    /** From a stock builder, whose activation must be the identity. */
    public LinearConvolution(ConvolutionLayer.Builder builder) {
        super(builder.activation(Activation.IDENTITY));
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                      Collection<TrainingListener> listeners, int layerIndex,
                                                      INDArray layerParamsView, boolean initializeParams,
                                                      DataType networkDataType) {
        return Layers.wire(new LinearConvolutionLayer(conf, networkDataType), conf, listeners, layerIndex, layerParamsView,
                initializeParams, initializer());
    }
}
