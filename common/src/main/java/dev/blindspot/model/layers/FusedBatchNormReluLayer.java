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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * BatchNorm + ReLU over NCHW activations, written so that every pass over the activations is a contiguous
 * row operation: the tensor is viewed as {@code [N·C, H·W]} rows, per-row sums give the per-channel
 * statistics, and per-channel scale/shift are applied as column-vector broadcasts.
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
        long c = x.size(1);
        long hw = x.size(2) * x.size(3);
        INDArray rows = x.reshape('c', n * c, hw);
        INDArray mean;
        INDArray invStd;
        if (training && !frozen) {
            double m = n * hw;
            // Per-channel sums of x and x² from contiguous rows, finished in double.
            double[] s1 = rows.sum(1).reshape(n, c).castTo(DataType.DOUBLE).sum(0).toDoubleVector();
            INDArray sq = rows.norm2(1).castTo(DataType.DOUBLE);
            double[] s2 = sq.muli(sq).reshape(n, c).sum(0).toDoubleVector();
            double[] mu = new double[(int) c];
            double[] inv = new double[(int) c];
            double[] unbiased = new double[(int) c];
            for (int k = 0; k < c; k++) {
                mu[k] = s1[k] / m;
                double var = Math.max(s2[k] / m - mu[k] * mu[k], 0);
                inv[k] = 1 / Math.sqrt(var + bnConf().getEps());
                unbiased[k] = m > 1 ? var * m / (m - 1) : var;
            }
            mean = Nd4j.createFromArray(mu).castTo(x.dataType());
            invStd = Nd4j.createFromArray(inv).castTo(x.dataType());
            double decay = bnConf().getDecay();
            getParam(MEAN).muli(decay).addi(mean.reshape(getParam(MEAN).shape()).mul(1 - decay));
            getParam(VAR).muli(decay).addi(Nd4j.createFromArray(unbiased).castTo(x.dataType())
                    .reshape(getParam(VAR).shape()).muli(1 - decay));
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
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        INDArray outRows = out.reshape('c', n * c, hw);
        outRows.assign(rows);
        outRows.muliColumnVector(perRow(scale, n)).addiColumnVector(perRow(shift, n));
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
        long c = x.size(1);
        long hw = x.size(2) * x.size(3);
        double m = n * hw;
        INDArray rows = x.reshape('c', n * c, hw);
        INDArray dyRows = dy.reshape('c', n * c, hw);
        INDArray gamma = getParam(GAMMA).reshape(c);

        // dz = dy·[y>0], y the forward output (libnd4j's relu backprop op is several times slower
        // than step + multiply).
        INDArray dz = Transforms.step(lastOutput.reshape('c', n * c, hw), true).muli(dyRows);

        double[] sumDz = dz.sum(1).reshape(n, c).castTo(DataType.DOUBLE).sum(0).toDoubleVector();
        double[] sumDzX = dz.mul(rows).sum(1).reshape(n, c).castTo(DataType.DOUBLE).sum(0).toDoubleVector();
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
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape(), 'c');
        INDArray dxRows = dx.reshape('c', n * c, hw);
        dxRows.assign(dz).muliColumnVector(perRow(vector(a, x.dataType()), n));
        dxRows.addi(rows.mulColumnVector(perRow(vector(k, x.dataType()), n)))
                .addiColumnVector(perRow(vector(b, x.dataType()), n));

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

    /** A per-channel vector repeated for each of the n images, as the column of the {@code [N·C, H·W]} view. */
    private static INDArray perRow(INDArray perChannel, long n) {
        return Nd4j.tile(perChannel.reshape(1, perChannel.length()), (int) n, 1).reshape(n * perChannel.length(), 1);
    }

    private static INDArray vector(double[] v, DataType type) {
        return Nd4j.createFromArray(v).castTo(type);
    }

    private static INDArray contiguous(INDArray a) {
        if (a.rank() != 4) {
            throw new IllegalStateException("FusedBatchNormRelu expects NCHW activations, got rank " + a.rank());
        }
        return a.ordering() == 'c' && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(a) ? a : a.dup('c');
    }
}
