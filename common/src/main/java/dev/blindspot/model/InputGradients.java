package dev.blindspot.model;

import dev.blindspot.model.layers.FusedBatchNormReluLayer;
import dev.blindspot.model.layers.ShapePreservingPreProcessor;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.preprocessor.ComposableInputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Gradients of a model's loss with respect to its (normalized) input, which DL4J's ComputationGraph does
 * not expose: a copy of the graph, sharing the model's parameters, with an identity probe in front of every
 * layer that reads the network input; backprop hands the probe the input gradient. Quantizers on the input
 * sit after the probe, so their straight-through estimator is part of the gradient. BatchNorm runs on its
 * running statistics (PyTorch's {@code eval()} mode): the gradient of the deployed model.
 */
public final class InputGradients {
    private final ComputationGraph net;
    private final List<Probe> probes = new ArrayList<>();

    public InputGradients(Classifier model) {
        ComputationGraph source = model.network();
        ComputationGraphConfiguration conf = source.getConfiguration().clone();
        for (String in : conf.getNetworkInputs()) {
            conf.getVertexInputs().forEach((vertex, inputs) -> {
                if (inputs.contains(in) && conf.getVertices().get(vertex) instanceof LayerVertex lv) {
                    Probe p = new Probe();
                    probes.add(p);
                    InputPreProcessor existing = lv.getPreProcessor();
                    lv.setPreProcessor(existing == null ? p : new ComposableInputPreProcessor(p, existing));
                }
            });
        }
        net = new ComputationGraph(conf);
        net.init(source.params(), false); // shares the model's parameters; nothing here updates them
        for (Layer l : net.getLayers()) {
            if (l instanceof FusedBatchNormReluLayer bn) {
                bn.setFrozen(true);
            }
        }
    }

    /** dLoss/dInput for a batch of normalized inputs and one-hot labels, with the model's own loss. */
    public INDArray gradient(INDArray input, INDArray labels) {
        net.setInputs(input);
        net.setLabels(labels);
        net.computeGradientAndScore();
        INDArray sum = null;
        for (Probe p : probes) {
            sum = sum == null ? p.last.dup() : sum.addi(p.last);
        }
        return sum;
    }

    /** The loss of the last {@link #gradient} call (mean over the batch, as DL4J's score). */
    public double loss() {
        return net.score();
    }

    /** Identity forward; keeps a detached copy of the gradient that reaches it. */
    static final class Probe extends ShapePreservingPreProcessor {
        transient INDArray last;

        @Override
        public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr mgr) {
            return input;
        }

        @Override
        public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr mgr) {
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                last = output.dup();
            }
            return output;
        }

        @Override
        public Probe clone() {
            return new Probe();
        }
    }
}
