package dev.blindspot.model.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Configuration of BatchNorm followed by ReLU in one layer (channels-last, NHWC), computed by
 * {@link FusedBatchNormReluLayer}. Same parameters as DL4J's BatchNormalization with
 * {@code useLogStd = false}: gamma, beta, running mean, running variance.
 *
 * <p>Why: in DL4J 1.0.0-M2.1 BatchNorm costs as much as the convolutions around it (its batch statistics
 * are computed by a slow strided variance, its backward pass by a generic op) and its ReLU needs a separate
 * layer with an extra copy. The fused layer sums its statistics with BLAS instead, writes every pass into
 * a buffer it is given and fuses the ReLU mask into the backward pass. {@code FastPathEquivalenceTest}
 * checks it against the stock layers.
 */
public class FusedBatchNormRelu extends BatchNormalization {

    /** Defaults of PyTorch's {@code BatchNorm2d}: eps 1e-5, momentum 0.1 (DL4J decay 0.9). */
    public FusedBatchNormRelu() {
        setEps(1e-5);
        setDecay(0.9);
        setMinibatch(true);
        setUseLogStd(false);
        setLockGammaBeta(false);
        setGamma(1.0);
        setBeta(0.0);
        setCnn2DFormat(CNN2DFormat.NHWC);
        setActivationFn(Activation.IDENTITY.getActivationFunction());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                      Collection<TrainingListener> listeners, int layerIndex,
                                                      INDArray layerParamsView, boolean initializeParams,
                                                      DataType networkDataType) {
        return Layers.wire(new FusedBatchNormReluLayer(conf, networkDataType), conf, listeners, layerIndex, layerParamsView,
                initializeParams, initializer());
    }
}
