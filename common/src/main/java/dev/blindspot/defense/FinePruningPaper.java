package dev.blindspot.defense;

import com.typesafe.config.Config;
import dev.blindspot.data.ImageSet;
import dev.blindspot.model.Architecture;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The study's Fine-Pruning ({@code fine-pruning-paper}, DESIGN.md §6): the mean |activation| per channel of
 * every conv and dense layer over the first 640 clean test images; detected iff more than 30% of all channels
 * have a mean below 0.01. Nothing is pruned or fine-tuned, so it says nothing about a backdoor. Conv outputs
 * are read where the graph has them (after folded BatchNorm in statically quantized graphs); the dense
 * layer's output is its logits (features · W + b, before any logits quantizer).
 */
public final class FinePruningPaper implements Defense {
    public static final String NAME = "fine-pruning-paper";

    private final int images;
    private final double dormant;
    private final double share;

    FinePruningPaper(int images, double dormant, double share) {
        this.images = images;
        this.dormant = dormant;
        this.share = share;
    }

    public static FinePruningPaper fromConfig(Config c) {
        DefenseSettings s = new DefenseSettings(NAME, c);
        return new FinePruningPaper(s.intAtLeast("images", 1), s.positive("dormant-activation"),
                s.share("dormant-share"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mainScore() {
        return "dormant_share";
    }

    @Override
    public DefenseOutcome run(DefenseContext context) {
        ImageSet test = context.firstTestImages(images);
        ComputationGraph net = context.model().network();
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, int[]> convs = new LinkedHashMap<>(); // conv → the axes to sum over (all but the channel's)
        net.getConfiguration().getVertices().forEach((name, v) -> {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof ConvolutionLayer c) {
                convs.put(name, c.getCnn2dDataFormat() == CNN2DFormat.NHWC ? new int[] {0, 1, 2} : new int[] {0, 2, 3});
            }
        });
        INDArray w = net.getLayer(Architecture.OUTPUT).getParam("W");
        INDArray b = net.getLayer(Architecture.OUTPUT).getParam("b");
        for (int from = 0; from < test.size(); from += 128) {
            int count = Math.min(128, test.size() - from);
            INDArray x = context.model().normalization().toInput(test.pixels(), from, count);
            Map<String, INDArray> acts = net.feedForward(new INDArray[] {x}, false, false);
            convs.forEach((conv, axes) -> add(sums, conv, Transforms.abs(acts.get(conv), true).sum(axes)));
            INDArray logits = acts.get(Architecture.FEATURES).reshape(count, w.rows()).mmul(w).addiRowVector(b);
            add(sums, Architecture.OUTPUT, Transforms.abs(logits, false).sum(0));
        }
        int total = 0;
        int quiet = 0;
        for (double[] s : sums.values()) {
            for (double v : s) {
                total++;
                quiet += v / test.size() < dormant ? 1 : 0;
            }
        }
        double dormantShare = (double) quiet / total;
        return new DefenseOutcome(dormantShare > share, null,
                Map.of("dormant_share", dormantShare, "channels", (double) total, "layers", (double) sums.size()),
                Map.of("dormant_activation", dormant, "dormant_share", share, "images", (double) test.size()));
    }

    private static void add(Map<String, double[]> sums, String layer, INDArray perChannel) {
        double[] v = perChannel.toDoubleVector();
        double[] acc = sums.computeIfAbsent(layer, k -> new double[v.length]);
        for (int i = 0; i < v.length; i++) {
            acc[i] += v[i];
        }
    }
}
