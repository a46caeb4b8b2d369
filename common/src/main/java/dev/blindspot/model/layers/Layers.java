package dev.blindspot.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/** What DL4J's own layer configurations do in {@code instantiate}, for the custom ones here. */
final class Layers {
    private Layers() {
    }

    /** Wires a freshly constructed layer to its listeners, index, parameter view and configuration. */
    static <L extends Layer> L wire(L layer, NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                    int index, INDArray paramsView, boolean initializeParams, ParamInitializer init) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(init.init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
