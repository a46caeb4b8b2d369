package dev.blindspot.precision.quant;

import dev.blindspot.model.layers.ShapePreservingPreProcessor;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

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
        if (mode == Mode.OBSERVE) {
            observedMin = Math.min(observedMin, input.minNumber().floatValue());
            observedMax = Math.max(observedMax, input.maxNumber().floatValue());
            return input;
        }
        FakeQuant.Affine a = mode == Mode.DYNAMIC
                ? FakeQuant.Affine.of(input.minNumber().floatValue(), input.maxNumber().floatValue()) : affine;
        if (mode == Mode.STATIC) {
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                lastMask = input.gte(a.clipLow()).castTo(input.dataType())
                        .muli(input.lte(a.clipHigh()).castTo(input.dataType()));
            }
        } else {
            lastMask = null; // every value lies inside its own range: the gradient passes unchanged
        }
        // q = clamp(rint(x·(1/scale)) + zp, 0, 255); x' = (q − zp)·scale — FakeQuant.Affine.apply, vectorized
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
        out.assign(input).muli(1f / a.scale());
        Nd4j.exec(new Rint(out, out));
        out.addi(a.zeroPoint());
        Transforms.max(out, 0.0, false);
        Transforms.min(out, 255.0, false);
        return out.subi(a.zeroPoint()).muli(a.scale());
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
