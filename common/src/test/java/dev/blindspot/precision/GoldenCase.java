package dev.blindspot.precision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.blindspot.SharedData;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One of PyTorch's golden vectors ({@code ../shared/golden/*.json}, made by {@code make_golden.py}): the float
 * network rebuilt in DL4J with PyTorch's weights, the inputs, and the expected quantized logits.
 */
final class GoldenCase {
    final JsonNode json;
    final ComputationGraph net;

    GoldenCase(String file) throws IOException {
        json = new ObjectMapper().readTree(SharedData.path("golden/" + file).toFile());
        net = build(json.get("layers"), json.get("input"));
    }

    INDArray input() {
        return array(json.get("input"));
    }

    INDArray calibration() {
        return array(json.get("calibration"));
    }

    INDArray expected() {
        return array(json.get("expected"));
    }

    INDArray floatOut() {
        return array(json.get("float_out"));
    }

    double tolerance() {
        return json.get("tolerance").asDouble();
    }

    static INDArray array(JsonNode n) {
        List<Integer> shape = new ArrayList<>();
        JsonNode cur = n;
        while (cur.isArray()) {
            shape.add(cur.size());
            cur = cur.get(0);
        }
        List<Float> values = new ArrayList<>();
        collect(n, values);
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return Nd4j.create(v, shape.stream().mapToLong(Integer::longValue).toArray(), 'c');
    }

    private static void collect(JsonNode n, List<Float> out) {
        if (n.isArray()) {
            n.forEach(c -> collect(c, out));
        } else {
            out.add((float) n.asDouble());
        }
    }

    /** The PyTorch layer list as a DL4J graph: conv2d, relu, maxpool2d, flatten, dense (last = output). */
    private static ComputationGraph build(JsonNode layers, JsonNode input) {
        boolean image = input.get(0).get(0).isArray();
        GraphBuilder g = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .convolutionMode(ConvolutionMode.Truncate).graphBuilder().addInputs("input");
        if (image) {
            INDArray x = array(input);
            g.setInputTypes(InputType.convolutional(x.size(2), x.size(3), x.size(1)));
        } else {
            g.setInputTypes(InputType.feedForward(input.get(0).size()));
        }
        String prev = "input";
        List<INDArray[]> params = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int i = 0;
        int lastDense = -1;
        for (int k = 0; k < layers.size(); k++) {
            if (layers.get(k).get("type").asText().equals("dense")) {
                lastDense = k;
            }
        }
        for (int k = 0; k < layers.size(); k++) {
            JsonNode l = layers.get(k);
            String name = "l" + (i++);
            switch (l.get("type").asText()) {
                case "conv2d" -> {
                    INDArray w = array(l.get("weight"));
                    int p = l.get("padding").asInt();
                    int s = l.get("stride").asInt();
                    g.addLayer(name, new ConvolutionLayer.Builder((int) w.size(2), (int) w.size(3)).stride(s, s).padding(p, p)
                            .nOut(w.size(0)).activation(Activation.IDENTITY).build(), prev);
                    params.add(new INDArray[] {w, array(l.get("bias"))});
                    names.add(name);
                }
                case "dense" -> {
                    INDArray w = array(l.get("weight")).transpose().dup('c'); // PyTorch [out,in] -> DL4J [in,out]
                    if (k == lastDense) {
                        g.addLayer(name, new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(w.size(1))
                                .activation(Activation.IDENTITY).build(), prev);
                    } else {
                        g.addLayer(name, new DenseLayer.Builder().nOut(w.size(1)).activation(Activation.IDENTITY).build(), prev);
                    }
                    params.add(new INDArray[] {w, array(l.get("bias"))});
                    names.add(name);
                }
                case "relu" -> g.addLayer(name, new ActivationLayer.Builder().activation(Activation.RELU).build(), prev);
                case "maxpool2d" -> g.addLayer(name, new SubsamplingLayer.Builder(PoolingType.MAX)
                        .kernelSize(l.get("kernel").asInt(), l.get("kernel").asInt())
                        .stride(l.get("stride").asInt(), l.get("stride").asInt()).build(), prev);
                case "flatten" -> {
                    i--;
                    continue; // DL4J's CNN-to-dense preprocessor flattens NCHW in C order, as torch.flatten
                }
                default -> throw new IllegalArgumentException("unknown golden layer " + l.get("type"));
            }
            prev = name;
        }
        g.setOutputs(prev);
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        for (int k = 0; k < names.size(); k++) {
            net.getLayer(names.get(k)).setParam("W", params.get(k)[0]);
            INDArray b = net.getLayer(names.get(k)).getParam("b");
            net.getLayer(names.get(k)).setParam("b", params.get(k)[1].reshape(b.shape()));
        }
        return net;
    }
}
