package dev.blindspot.defense;

import java.util.Map;
import java.util.TreeMap;

/**
 * A defense's decision and what it rests on.
 *
 * @param detected         whether the defense reports a backdoor (for mitigation defenses: mitigated)
 * @param targetIdentified whether the label it names is the attack's target; null where it names none
 * @param scores           the continuous scores behind the decision, by name
 * @param thresholds       every threshold the decision used, by name
 */
public record DefenseOutcome(boolean detected, Boolean targetIdentified, Map<String, Double> scores,
                             Map<String, Double> thresholds) {
    public DefenseOutcome {
        scores = new TreeMap<>(scores);
        thresholds = new TreeMap<>(thresholds);
    }
}
