package dev.blindspot.precision.quant;

import dev.blindspot.model.layers.ShapePreservingPreProcessor;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fake quantization of a layer's input activations to uint8, as an input preprocessor, so it runs inside
 * the network's forward pass and backprop:
 * <ul>
 * <li>{@link Mode#DYNAMIC}: range [min(x,0), max(x,0)] of each call (PyTorch's dynamic quantization);</li>
 * <li>{@link Mode#OBSERVE}: passes values through and records their running min/max (calibration);</li>
 * <li>{@link Mode#STATIC}: the calibrated range.</li>
 * </ul>
 * Backprop is the straight-through estimator: the gradient passes unchanged where the input lay inside the
 * representable range and is zero where it was clipped. A quantized network is derived from a trained one
 * at run time and never saved, so this class needs no JSON form; its state is per network instance.
 */
public class ActivationQuantizer extends ShapePreservingPreProcessor {
    public enum Mode { DYNAMIC, OBSERVE, STATIC }

    private Mode mode;
    private float observedMin = Float.POSITIVE_INFINITY;
    private float observedMax = Float.NEGATIVE_INFINITY;
    private FakeQuant.Affine affine;
    /** 1 where the last input was inside the clipping range, else 0 (static mode only). */
    private transient INDArray lastMask;

    public ActivationQuantizer(Mode mode) {
        this.mode = mode;
    }

    public Mode mode() {
        return mode;
    }

    /** Ends calibration: the observed range becomes the static quantization range. */
    public void freeze() {
        if (mode != Mode.OBSERVE || observedMin > observedMax) {
            throw new IllegalStateException("no calibration data reached this quantization point");
        }
        affine = FakeQuant.Affine.of(observedMin, observedMax);
        mode = Mode.STATIC;
    }

    public FakeQuant.Affine affine() {
        return affine;
    }

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr mgr) {
        float[] x = input.dup('c').data().asFloat();
        switch (mode) {
            case OBSERVE -> {
                for (float v : x) {
                    observedMin = Math.min(observedMin, v);
                    observedMax = Math.max(observedMax, v);
                }
                return input;
            }
            case DYNAMIC -> {
                float lo = Float.POSITIVE_INFINITY;
                float hi = Float.NEGATIVE_INFINITY;
                for (float v : x) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                FakeQuant.Affine a = FakeQuant.Affine.of(lo, hi);
                for (int i = 0; i < x.length; i++) {
                    x[i] = a.apply(x[i]);
                }
                lastMask = null; // every value lies inside its own range: the gradient passes unchanged
            }
            case STATIC -> {
                float[] mask = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    mask[i] = x[i] >= affine.clipLow() && x[i] <= affine.clipHigh() ? 1f : 0f;
                    x[i] = affine.apply(x[i]);
                }
                try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    lastMask = Nd4j.create(mask, input.shape(), 'c');
                }
            }
            default -> throw new IllegalStateException("mode " + mode);
        }
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
        out.assign(Nd4j.create(x, input.shape(), 'c').castTo(input.dataType()));
        return out;
    }

    @Override
    public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr mgr) {
        if (mode != Mode.STATIC || lastMask == null) {
            return output;
        }
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, output.dataType(), output.shape(), 'c');
        eps.assign(output);
        return eps.muli(lastMask.castTo(output.dataType()));
    }

    @Override
    public ActivationQuantizer clone() {
        ActivationQuantizer c = new ActivationQuantizer(mode);
        c.observedMin = observedMin;
        c.observedMax = observedMax;
        c.affine = affine;
        return c;
    }
}
