package dev.blindspot.precision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.blindspot.SharedData;
import dev.blindspot.data.Normalization;
import dev.blindspot.model.Classifier;
import dev.blindspot.model.CompactCnn;
import dev.blindspot.model.TrainingConfig;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Int4SimSchemeTest {

    @Test
    void matchesPyTorchQuantizedWeightsOfTheGoldenCase() throws IOException {
        JsonNode golden = new ObjectMapper().readTree(SharedData.path("golden/int4-sim-cnn.json").toFile());
        List<JsonNode> weighted = new ArrayList<>();
        golden.get("layers").forEach(l -> {
            if (l.has("weight")) {
                weighted.add(l.get("weight"));
            }
        });
        JsonNode expected = golden.get("quantized_weights");
        assertEquals(weighted.size(), expected.size());
        for (int t = 0; t < weighted.size(); t++) {
            float[] w = flatten(weighted.get(t));
            float[] want = flatten(expected.get(t));
            float[] got = Int4SimScheme.fakeQuantize(w);
            float worst = 0;
            for (int i = 0; i < w.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - want[i]));
            }
            assertTrue(worst < 1e-6, "tensor " + t + ": max |ours - PyTorch| = " + worst);
        }
    }

    @Test
    void keepsAtMostSixteenLevelsAndTheTensorRange() {
        float[] w = new float[1000];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rng.nextDouble() * 4 - 1); // uniform: every level is populated
        }
        float[] q = Int4SimScheme.fakeQuantize(w);
        Set<Float> levels = new HashSet<>();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        float qmin = Float.MAX_VALUE;
        float qmax = -Float.MAX_VALUE;
        for (int i = 0; i < w.length; i++) {
            levels.add(q[i]);
            min = Math.min(min, w[i]);
            max = Math.max(max, w[i]);
            qmin = Math.min(qmin, q[i]);
            qmax = Math.max(qmax, q[i]);
        }
        assertEquals(16, levels.size());
        assertEquals(min, qmin, 1e-6);
        assertEquals(max, qmax, 1e-5);
        float halfStep = (max - min) / 15 / 2;
        for (int i = 0; i < w.length; i++) {
            assertTrue(Math.abs(q[i] - w[i]) <= halfStep + 1e-6, "value " + i + " moved more than half a step");
        }
    }

    @Test
    void quantizesWeightsAndGammaButNotBiasesAndLeavesTheInputModelAlone() {
        ComputationGraph net = new CompactCnn().build(10, new TrainingConfig(1, 8, 0.1, 0.9, 5e-4), 1);
        // Give BatchNorm gammas some spread, as a trained model has.
        for (Layer l : net.getLayers()) {
            if (l instanceof BatchNormalization) {
                INDArray g = l.getParam("gamma");
                l.setParam("gamma", g.add(org.nd4j.linalg.factory.Nd4j.rand(g.dataType(), g.shape())));
            }
        }
        Classifier fp32 = new Classifier(net, new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.2f, 0.2f, 0.2f}));
        INDArray before = net.params().dup();
        Classifier q = new Int4SimScheme().apply(fp32, null);
        assertEquals(before, net.params(), "the scheme must not modify the model it is given");
        assertNotEquals(before, q.network().params());
        ComputationGraph qn = q.network();
        for (int i = 0; i < qn.getNumLayers(); i++) {
            Layer l = qn.getLayer(i);
            for (String key : l.paramTable().keySet()) {
                int distinct = distinct(l.getParam(key));
                boolean quantized = key.equals("W") || (l instanceof BatchNormalization && key.equals("gamma"));
                if (quantized) {
                    assertTrue(distinct <= 16, "layer " + i + " " + key + " has " + distinct + " levels");
                } else {
                    assertEquals(net.getLayer(i).getParam(key), l.getParam(key), "layer " + i + " " + key + " changed");
                }
            }
        }
    }

    private static int distinct(INDArray a) {
        Set<Float> s = new HashSet<>();
        for (float v : a.dup().data().asFloat()) {
            s.add(v);
        }
        return s.size();
    }

    private static float[] flatten(JsonNode n) {
        List<Float> out = new ArrayList<>();
        collect(n, out);
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    private static void collect(JsonNode n, List<Float> out) {
        if (n.isArray()) {
            n.forEach(c -> collect(c, out));
        } else {
            out.add((float) n.asDouble());
        }
    }
}
