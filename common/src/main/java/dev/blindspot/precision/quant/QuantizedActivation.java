package dev.blindspot.precision.quant;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An output layer's activation with its pre-activation (the logits) fake-quantized first: the dense output
 * is quantized like every other dense layer's, then the original activation (softmax) applies. Backprop:
 * the original activation's, then the straight-through estimator of the quantizer.
 */
public class QuantizedActivation extends BaseActivationFunction {
    private final IActivation inner;
    private final ActivationQuantizer quantizer;

    public QuantizedActivation(IActivation inner, ActivationQuantizer quantizer) {
        this.inner = inner;
        this.quantizer = quantizer;
    }

    public ActivationQuantizer quantizer() {
        return quantizer;
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        INDArray q = quantizer.preProcess(in, (int) in.size(0), LayerWorkspaceMgr.noWorkspaces());
        INDArray out = inner.getActivation(q == in ? in.dup() : q, training);
        in.assign(out); // IActivation contract: in place
        return in;
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        INDArray q = quantizer.preProcess(in.dup(), (int) in.size(0), LayerWorkspaceMgr.noWorkspaces());
        Pair<INDArray, INDArray> g = inner.backprop(q, epsilon);
        return new Pair<>(quantizer.backprop(g.getFirst(), (int) in.size(0), LayerWorkspaceMgr.noWorkspaces()), g.getSecond());
    }

    @Override
    public String toString() {
        return "quantized(" + inner + ")";
    }
}
