package dev.blindspot.model;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.HashMap;
import java.util.Map;

/** The study's optimizer and learning-rate schedule, shared by every architecture. */
final class Sgd {
    private Sgd() {
    }

    /**
     * SGD with momentum and PyTorch's {@code MultiStepLR(milestones=[E/2, 3E/4], gamma=0.1)}: the rate is
     * multiplied by 0.1 at each milestone (twice where they coincide). Momentum is PyTorch's classical one
     * ({@link ClassicalMomentum}), not DL4J's Nesterov, which diverges at the study's rate. The schedule is
     * keyed by epoch, which {@link Trainer} advances.
     */
    static IUpdater updater(TrainingConfig t) {
        Map<Integer, Double> lr = new HashMap<>();
        lr.put(0, t.learningRate());
        int half = t.epochs() / 2;
        int threeQuarters = (3 * t.epochs()) / 4;
        // A milestone at epoch 0 never fires in PyTorch (the scheduler first steps at the end of epoch 0).
        if (half > 0) {
            lr.put(half, t.learningRate() * (half == threeQuarters ? 0.01 : 0.1));
        }
        if (threeQuarters > 0) {
            lr.put(threeQuarters, t.learningRate() * 0.01);
        }
        return new ClassicalMomentum(new MapSchedule(ScheduleType.EPOCH, lr), t.momentum());
    }
}
