package dev.blindspot.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * BatchNorm + ReLU over channels-last (NHWC) activations. The tensor is viewed as {@code [M, C]} rows
 * (M = N·H·W pixels, one row each): per-channel scale and shift are row-vector broadcasts over contiguous
 * rows, and per-channel sums one BLAS pass each ({@link #channelSums}). Every pass writes into a buffer
 * it is given (no temporary arrays): the passes over the activations are what this layer costs.
 *
 * <p>Training: {@code y = relu(γ·(x−μ_B)/σ_B + β)} with batch statistics (biased variance, as PyTorch
 * normalizes), running statistics updated in place as PyTorch does
 * ({@code r ← decay·r + (1−decay)·b}, unbiased batch variance). Inference uses the running statistics.
 * Backward: {@code dz = dy·[z>0]}, {@code dβ = Σdz}, {@code dγ = Σdz·x̂},
 * {@code dx = γ/σ·(dz − dβ/M − x̂·dγ/M)}. The running statistics get zero gradient (their updater is a
 * no-op), so nothing but this layer moves them.
 */
public class FusedBatchNormReluLayer extends BatchNormalization {
    private static final String GAMMA = BatchNormalizationParamInitializer.GAMMA;
    private static final String BETA = BatchNormalizationParamInitializer.BETA;
    private static final String MEAN = BatchNormalizationParamInitializer.GLOBAL_MEAN;
    private static final String VAR = BatchNormalizationParamInitializer.GLOBAL_VAR;

    /**
     * Batch statistics of the last training forward pass, per channel, kept for backprop as Java arrays:
     * INDArrays made during the forward pass live in a workspace that is recycled before backprop.
     */
    private double[] batchMean;
    private double[] batchInvStd;
    /**
     * The output of the last training forward pass; its sign is the ReLU mask in backprop. It lives in
     * DL4J's activations workspace, which stays open until the iteration's backprop is done (it is the
     * next layer's input); a stale use would fail loudly with ND4J's workspace check, not silently.
     */
    private INDArray lastOutput;
    /** N ones (outside every workspace), the vector of {@link #channelSums}; rebuilt when N changes. */
    private INDArray ones;
    /**
     * Inference statistics even in a training pass: for gradients of a deployed model (a defense
     * optimising an input, as PyTorch does in {@code eval()} mode), not for training it.
     */
    private boolean frozen;

    /** See {@link #frozen}: running statistics in every pass, and no update of them. */
    public void setFrozen(boolean frozen) {
        this.frozen = frozen;
    }

    public FusedBatchNormReluLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private org.deeplearning4j.nn.conf.layers.BatchNormalization bnConf() {
        return (org.deeplearning4j.nn.conf.layers.BatchNormalization) conf.getLayer();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        INDArray x = contiguous(input);
        long n = x.size(0);
        long c = x.size(3);
        long m = x.length() / c;
        INDArray rows = x.reshape('c', m, c);
        INDArray mean;
        INDArray invStd;
        // The output buffer is the scratch for x² first.
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        INDArray outRows = out.reshape('c', m, c);
        if (training && !frozen) {
            double[] s1 = channelSums(rows, n, c, mgr, ArrayType.FF_WORKING_MEM);
            Nd4j.getExecutioner().exec(new MulOp(rows, rows, outRows));
            double[] s2 = channelSums(outRows, n, c, mgr, ArrayType.FF_WORKING_MEM);
            double[] mu = new double[(int) c];
            double[] inv = new double[(int) c];
            double[] unbiased = new double[(int) c];
            for (int k = 0; k < c; k++) {
                mu[k] = s1[k] / m;
                double var = Math.max(s2[k] / m - mu[k] * mu[k], 0);
                inv[k] = 1 / Math.sqrt(var + bnConf().getEps());
                unbiased[k] = m > 1 ? var * m / (m - 1) : var;
            }
            mean = vector(mu, x.dataType());
            invStd = vector(inv, x.dataType());
            double decay = bnConf().getDecay();
            getParam(MEAN).muli(decay).addi(mean.reshape(getParam(MEAN).shape()).mul(1 - decay));
            getParam(VAR).muli(decay).addi(vector(unbiased, x.dataType()).reshape(getParam(VAR).shape()).muli(1 - decay));
            batchMean = mu;
            batchInvStd = inv;
        } else {
            mean = getParam(MEAN).reshape(c);
            invStd = Transforms.pow(getParam(VAR).reshape(c).add(bnConf().getEps()), -0.5, false);
            if (training) { // frozen: backprop through the running statistics
                batchMean = mean.castTo(DataType.DOUBLE).toDoubleVector();
                batchInvStd = invStd.castTo(DataType.DOUBLE).toDoubleVector();
            }
        }
        INDArray scale = getParam(GAMMA).reshape(c).mul(invStd);
        INDArray shift = getParam(BETA).reshape(c).sub(mean.mul(scale));
        Nd4j.getExecutioner().exec(new BroadcastMulOp(rows, scale, outRows, 1));
        outRows.addiRowVector(shift);
        Transforms.relu(out, false);
        lastOutput = training ? out : null;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        if (batchMean == null || lastOutput == null) {
            throw new IllegalStateException("backprop without a training forward pass in layer " + layerId());
        }
        INDArray x = contiguous(input);
        INDArray dy = contiguous(epsilon);
        long n = x.size(0);
        long c = x.size(3);
        long m = x.length() / c;
        INDArray rows = x.reshape('c', m, c);
        INDArray dyRows = dy.reshape('c', m, c);
        INDArray gamma = getParam(GAMMA).reshape(c);

        // dz = dy·[y>0], y the forward output (libnd4j's relu backprop op is several times slower
        // than step + multiply).
        INDArray dz = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, x.dataType(), rows.shape(), 'c');
        Nd4j.getExecutioner().exec(new Step(lastOutput.reshape('c', m, c), dz, 0.0));
        dz.muli(dyRows);

        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape(), 'c');
        INDArray dxRows = dx.reshape('c', m, c);
        double[] sumDz = channelSums(dz, n, c, mgr, ArrayType.BP_WORKING_MEM);
        Nd4j.getExecutioner().exec(new MulOp(dz, rows, dxRows)); // dx's buffer holds dz·x for its sums
        double[] sumDzX = channelSums(dxRows, n, c, mgr, ArrayType.BP_WORKING_MEM);
        double[] g = gamma.castTo(DataType.DOUBLE).toDoubleVector();
        double[] mu = batchMean;
        double[] inv = batchInvStd;
        double[] dGamma = new double[(int) c];
        double[] a = new double[(int) c];
        double[] k = new double[(int) c];
        double[] b = new double[(int) c];
        for (int ch = 0; ch < c; ch++) {
            dGamma[ch] = (sumDzX[ch] - mu[ch] * sumDz[ch]) * inv[ch];
            a[ch] = g[ch] * inv[ch];
            // dx = a·dz − a·dβ/M − a·x̂·dγ/M, with x̂ = (x − μ)·inv, written as a·dz + k·x + b;
            // with frozen statistics μ and σ are constants and dx = a·dz.
            k[ch] = frozen ? 0 : -a[ch] * inv[ch] * dGamma[ch] / m;
            b[ch] = frozen ? 0 : -a[ch] * sumDz[ch] / m - k[ch] * mu[ch];
        }
        INDArray av = vector(a, x.dataType());
        if (frozen) {
            Nd4j.getExecutioner().exec(new BroadcastMulOp(dz, av, dxRows, 1));
        } else {
            Nd4j.getExecutioner().exec(new BroadcastMulOp(rows, vector(k, x.dataType()), dxRows, 1));
            dxRows.addiRowVector(vector(b, x.dataType())).addi(dz.muliRowVector(av));
        }

        Gradient grad = new DefaultGradient();
        INDArray dGammaView = gradientViews.get(GAMMA);
        INDArray dBetaView = gradientViews.get(BETA);
        dGammaView.assign(vector(dGamma, dGammaView.dataType()).reshape(dGammaView.shape()));
        dBetaView.assign(vector(sumDz, dBetaView.dataType()).reshape(dBetaView.shape()));
        INDArray dMean = gradientViews.get(MEAN).assign(0);
        INDArray dVar = gradientViews.get(VAR).assign(0);
        grad.setGradientFor(GAMMA, dGammaView);
        grad.setGradientFor(BETA, dBetaView);
        grad.setGradientFor(MEAN, dMean);
        grad.setGradientFor(VAR, dVar);
        return new Pair<>(grad, dx);
    }

    /**
     * Per-channel sums of contiguous NHWC values of n images (any shape of that length, channel fastest):
     * viewed as {@code [N, H·W·C]}, one BLAS vector-matrix product with N ones gives the sum over images of
     * every (position, channel), folded here over positions in double. Float partial sums of only N terms
     * keep the statistics exact to ~1e-7 of σ (one float sum over all N·H·W pixels was 1e-4 of σ off for
     * activations centred at 10σ); libnd4j's own reductions run at the float adder's latency, 4× slower.
     */
    private double[] channelSums(INDArray values, long n, long c, LayerWorkspaceMgr mgr, ArrayType type) {
        INDArray byImage = values.reshape('c', n, values.length() / n);
        if (ones == null || ones.length() != n || ones.dataType() != values.dataType()) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                ones = Nd4j.ones(values.dataType(), n);
            }
        }
        INDArray partial = mgr.createUninitialized(type, values.dataType(), new long[] {byImage.size(1)}, 'c');
        Nd4j.exec(DynamicCustomOp.builder("matmul").addInputs(ones, byImage).addOutputs(partial)
                .addIntegerArguments(0, 0, 0).addFloatingPointArguments(1.0, 0.0).build());
        float[] p = partial.toFloatVector();
        double[] sums = new double[(int) c];
        for (int i = 0; i < p.length; i++) {
            sums[(int) (i % c)] += p[i];
        }
        return sums;
    }

    private static INDArray vector(double[] v, DataType type) {
        return Nd4j.createFromArray(v).castTo(type);
    }

    private static INDArray contiguous(INDArray a) {
        if (a.rank() != 4) {
            throw new IllegalStateException("FusedBatchNormRelu expects NHWC activations, got rank " + a.rank());
        }
        return a.ordering() == 'c' && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(a) ? a : a.dup('c');
    }
}
