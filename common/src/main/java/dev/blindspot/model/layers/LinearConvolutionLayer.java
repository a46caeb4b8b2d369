package dev.blindspot.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's convolution layer, minus the recomputation. Its backward pass calls
 * {@code preOutput4d(training, forBackprop = true)} — a full forward convolution — only to feed the
 * activation function's derivative. The identity's derivative ignores its input, so where the oneDNN
 * helper does the backward pass this returns an (uninitialized) array of the right shape instead.
 * Without a helper the stock path runs unchanged (it needs the im2col buffer the recomputation makes).
 */
public class LinearConvolutionLayer extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {

    public LinearConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput4d(boolean training, boolean forBackprop, LayerWorkspaceMgr mgr) {
        var c = layerConf();
        if (!forBackprop || helper == null || !(c.getActivationFn() instanceof ActivationIdentity)) {
            return super.preOutput4d(training, forBackprop, mgr);
        }
        int[] out = ConvolutionUtils.getOutputSize(input, c.getKernelSize(), c.getStride(), c.getPadding(),
                c.getConvolutionMode(), c.getDilation(), c.getCnn2dDataFormat());
        long[] shape = c.getCnn2dDataFormat() == org.deeplearning4j.nn.conf.CNN2DFormat.NCHW
                ? new long[] {input.size(0), c.getNOut(), out[0], out[1]}
                : new long[] {input.size(0), out[0], out[1], c.getNOut()};
        return new Pair<>(mgr.createUninitialized(ArrayType.BP_WORKING_MEM, input.dataType(), shape), null);
    }
}
