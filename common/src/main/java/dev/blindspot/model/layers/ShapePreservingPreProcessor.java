package dev.blindspot.model.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/** An input preprocessor that changes values, never shapes or masks. */
public abstract class ShapePreservingPreProcessor implements InputPreProcessor {
    @Override
    public InputType getOutputType(InputType inputType) {
        return inputType;
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray mask, MaskState state, int minibatchSize) {
        return new Pair<>(mask, state);
    }

    @Override
    public abstract ShapePreservingPreProcessor clone();
}
