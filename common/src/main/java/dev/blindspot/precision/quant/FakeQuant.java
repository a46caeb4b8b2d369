package dev.blindspot.precision.quant;

/**
 * Quantize-then-dequantize arithmetic, in float, following PyTorch's observers and rounding
 * ({@code nearbyint}: half to even; quantization multiplies by the inverse scale, as PyTorch does).
 */
public final class FakeQuant {
    private FakeQuant() {
    }

    /** PyTorch's MinMaxObserver guard against a zero scale. */
    static final float EPS = Math.ulp(1.0f);

    /**
     * Symmetric signed quantization of {@code w[from..from+n)} (stride {@code stride}) in place: scale =
     * max|w| / ((qmax − qmin)/2), q = clamp(round(w/scale), qmin, qmax), w' = q·scale. For int8
     * (−128…127) the divisor is 127.5, for int4 (−8…7) 7.5, as PyTorch's symmetric observers compute it.
     */
    static void symmetric(float[] w, int from, int n, int stride, int qmin, int qmax) {
        float absMax = 0;
        for (int k = 0; k < n; k++) {
            absMax = Math.max(absMax, Math.abs(w[from + k * stride]));
        }
        float scale = Math.max(absMax / ((qmax - qmin) / 2f), EPS);
        float inv = 1f / scale;
        for (int k = 0; k < n; k++) {
            int i = from + k * stride;
            float q = Math.max(qmin, Math.min(qmax, (float) Math.rint(w[i] * inv)));
            w[i] = q * scale;
        }
    }

    /** Per-tensor symmetric, the whole array. */
    public static float[] symmetricPerTensor(float[] w, int bits) {
        float[] out = w.clone();
        symmetric(out, 0, out.length, 1, -(1 << (bits - 1)), (1 << (bits - 1)) - 1);
        return out;
    }

    /**
     * Per-output-channel symmetric: {@code channels} channels, each of {@code perChannel} values;
     * channel {@code c}'s k-th value at {@code c·channelStride + k·valueStride}.
     */
    public static float[] symmetricPerChannel(float[] w, int channels, int perChannel, int channelStride,
                                              int valueStride, int bits) {
        float[] out = w.clone();
        for (int c = 0; c < channels; c++) {
            symmetric(out, c * channelStride, perChannel, valueStride, -(1 << (bits - 1)), (1 << (bits - 1)) - 1);
        }
        return out;
    }

    /** Affine uint8 parameters for a range, as PyTorch's MinMaxObserver (quint8, full 0..255) computes them. */
    public record Affine(float scale, int zeroPoint, float lo, float hi) {
        public static Affine of(float min, float max) {
            float lo = Math.min(min, 0f);
            float hi = Math.max(max, 0f);
            float scale = Math.max((hi - lo) / 255f, EPS);
            int zp = (int) Math.max(0, Math.min(255, Math.rint(-lo / scale)));
            return new Affine(scale, zp, lo, hi);
        }

        /** The dequantized value of x: (clamp(round(x/scale) + zp, 0, 255) − zp)·scale. */
        public float apply(float x) {
            float q = (float) Math.rint(x * (1f / scale)) + zeroPoint;
            q = Math.max(0, Math.min(255, q));
            return (q - zeroPoint) * scale;
        }

        /** The representable range: values outside are clipped (and get no gradient). */
        public float clipLow() {
            return (0 - zeroPoint) * scale;
        }

        public float clipHigh() {
            return (255 - zeroPoint) * scale;
        }
    }
}
