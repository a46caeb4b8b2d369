package dev.blindspot.precision.quant;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ActivationQuantizerTest {
    @Test
    void vectorizedFakeQuantEqualsTheScalarDefinitionIncludingTiesAndClipping() {
        // range [-1, 1.55]: scale 0.01, zero point 100 -> ties at x = k·0.01 + 0.005 round half to even
        ActivationQuantizer q = new ActivationQuantizer(ActivationQuantizer.Mode.OBSERVE);
        q.preProcess(Nd4j.createFromArray(new float[] {-1f, 1.55f}), 2, LayerWorkspaceMgr.noWorkspaces());
        q.freeze();
        FakeQuant.Affine a = q.affine();
        float[] x = {-2f, -1f, -0.005f, 0.005f, 0.015f, 0.0249f, 0.5f, 1.3f, 1.55f, 3f};
        INDArray in = Nd4j.createFromArray(x).reshape(2, 5);
        float[] out = q.preProcess(in, 2, LayerWorkspaceMgr.noWorkspaces()).dup().data().asFloat();
        for (int i = 0; i < x.length; i++) {
            assertEquals(a.apply(x[i]), out[i], 0f, "x = " + x[i]);
        }
        assertEquals(a.clipLow(), out[0], 1e-6, "clipped below");
        assertEquals(a.clipHigh(), out[9], 1e-6, "clipped above");
        // straight-through: gradient only where x was inside the range
        float[] g = q.backprop(Nd4j.ones(2, 5), 2, LayerWorkspaceMgr.noWorkspaces()).dup().data().asFloat();
        assertEquals(0f, g[0]);
        assertEquals(1f, g[4]);
        assertEquals(0f, g[9]);
    }
}
