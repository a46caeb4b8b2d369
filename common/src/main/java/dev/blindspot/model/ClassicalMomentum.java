package dev.blindspot.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Map;
import java.util.Objects;

/**
 * SGD with classical (heavy-ball) momentum, as PyTorch's {@code torch.optim.SGD(momentum=μ)} computes it:
 * {@code v = μ·v + g; w -= lr·v}, where g already holds the L2 term (DL4J applies {@code l2} before the
 * updater, as PyTorch adds {@code weight_decay·w} to the gradient before the momentum buffer).
 *
 * <p>Why not DL4J's {@link org.nd4j.linalg.learning.config.Nesterovs}, its only momentum updater: at the
 * study's rate (0.1, no warm-up) {@code preact-resnet18}, whose residual stream reaches the classifier without
 * a normalization, is on the edge of stability, and Nesterov's look-ahead tips it over. Measured with PyTorch
 * itself (python3-torch 1.13, the same architecture, batches of 128 from CIFAR-10's data_batch_1 with crop and
 * flip, lr 0.1, momentum 0.9, weight decay 5e-4): classical momentum with PyTorch's default init keeps the loss
 * within 2.3–6.2 over 78 steps; Nesterov with the same init reaches 29 by step 28 (weights 71 → 221); He's
 * init goes NaN with either momentum (by step 43 classical, by 19 Nesterov). DL4J with Nesterov and He init
 * went NaN at step 21–24; with this updater and PyTorch's init its loss peaks at 17 (step 13) and is back to
 * 2.4–2.6 by step 55, finite over the 75 steps measured. That made the start no worse than PyTorch's, not the
 * rate safe: over a whole epoch on the subset's 20,000 images both frameworks still diverge at 0.1 for some data
 * orders ({@link PreActResNet18} has the figures).
 *
 * <p>Fields are read and written by DL4J's JSON configuration mapper (the stored model's configuration), hence
 * the no-argument constructor and the mutable fields.
 */
public final class ClassicalMomentum implements IUpdater {
    private double learningRate;
    private ISchedule learningRateSchedule;
    private double momentum;

    /** For DL4J's JSON mapper only. */
    public ClassicalMomentum() {
    }

    public ClassicalMomentum(ISchedule learningRateSchedule, double momentum) {
        this.learningRateSchedule = Objects.requireNonNull(learningRateSchedule, "learningRateSchedule");
        this.momentum = momentum;
    }

    public double getMomentum() {
        return momentum;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> state, boolean initializeStateArrays) {
        Updater u = new Updater(this);
        u.setState(state, initializeStateArrays);
        return u;
    }

    @Override
    public ClassicalMomentum clone() {
        ClassicalMomentum c = new ClassicalMomentum();
        c.learningRate = learningRate;
        c.learningRateSchedule = learningRateSchedule == null ? null : learningRateSchedule.clone();
        c.momentum = momentum;
        return c;
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    /** Called by {@code ComputationGraph.setLearningRate}: a fixed rate replaces the schedule, or a new schedule. */
    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    // DL4J groups layers whose updater configurations are equal into one updater block.
    @Override
    public boolean equals(Object o) {
        return o instanceof ClassicalMomentum c && c.learningRate == learningRate && c.momentum == momentum
                && Objects.equals(c.learningRateSchedule, learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, learningRateSchedule, momentum);
    }

    @Override
    public String toString() {
        return "ClassicalMomentum(lr=" + (learningRateSchedule != null ? learningRateSchedule : learningRate)
                + ", momentum=" + momentum + ")";
    }

    /** The momentum buffer v, one value per parameter, in the updater state DL4J stores with the model. */
    static final class Updater implements GradientUpdater<ClassicalMomentum> {
        static final String V = "V";
        private final ClassicalMomentum config;
        private INDArray v;

        Updater(ClassicalMomentum config) {
            this.config = config;
        }

        @Override
        public ClassicalMomentum getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> state, boolean initialize) {
            if (state == null || state.size() != 1 || !state.containsKey(V)) {
                throw new IllegalStateException("classical momentum needs exactly one state array '" + V + "', got "
                        + (state == null ? null : state.keySet()));
            }
            v = state.get(V);
            if (initialize) {
                v.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(V, v);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            if (!viewArray.isRowVectorOrScalar()) {
                throw new IllegalArgumentException("invalid input: expect row vector input");
            }
            if (initialize) {
                viewArray.assign(0);
            }
            v = viewArray.reshape(gradientOrder, gradientShape);
        }

        /** Turns the gradient, in place, into the step DL4J subtracts from the parameters: lr·(μ·v + g). */
        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            if (v == null) {
                throw new IllegalStateException("classical momentum: the updater has not been initialized");
            }
            v.muli(config.momentum).addi(gradient);
            gradient.assign(v).muli(config.getLearningRate(iteration, epoch));
        }
    }
}
