package dev.blindspot.datasets;

/**
 * Binary PPM ({@code P6}) images, as GTSRB ships them: magic {@code P6}, then width, height and maximum
 * value separated by white space, with {@code #} comment lines allowed between the tokens, one white-space
 * byte, then width·height RGB triples. Only a maximum value of 255 (one byte per sample) is accepted.
 */
final class Ppm {
    /** A decoded image: interleaved RGB bytes, row-major. */
    record Image(int width, int height, byte[] rgb) {
    }

    private Ppm() {
    }

    static Image decode(byte[] data, String file) {
        int[] pos = {0};
        if (data.length < 2 || data[0] != 'P' || data[1] != '6') {
            throw new DatasetFormatException(file, "not a binary PPM: magic number is not P6");
        }
        pos[0] = 2;
        int width = token(data, pos, file, "width");
        int height = token(data, pos, file, "height");
        int max = token(data, pos, file, "maximum value");
        if (max != 255) {
            throw new DatasetFormatException(file, "maximum value " + max + " is not supported (only 255)");
        }
        if (width <= 0 || height <= 0) {
            throw new DatasetFormatException(file, "bad size " + width + "x" + height);
        }
        if (pos[0] >= data.length || !Character.isWhitespace(data[pos[0]])) {
            throw new DatasetFormatException(file, "no white space between header and pixels");
        }
        int start = pos[0] + 1;
        long need = 3L * width * height;
        if (data.length - start < need) {
            throw new DatasetFormatException(file, "truncated pixels: " + (data.length - start) + " of " + need + " bytes");
        }
        byte[] rgb = new byte[(int) need];
        System.arraycopy(data, start, rgb, 0, rgb.length);
        return new Image(width, height, rgb);
    }

    /** The next decimal header token, skipping white space and comment lines. */
    private static int token(byte[] d, int[] pos, String file, String what) {
        int i = pos[0];
        while (i < d.length) {
            if (Character.isWhitespace(d[i])) {
                i++;
            } else if (d[i] == '#') {
                while (i < d.length && d[i] != '\n' && d[i] != '\r') {
                    i++;
                }
            } else {
                break;
            }
        }
        long v = 0;
        int digits = 0;
        while (i < d.length && d[i] >= '0' && d[i] <= '9') {
            v = v * 10 + (d[i] - '0');
            if (v > Integer.MAX_VALUE) {
                throw new DatasetFormatException(file, what + " in the header is too large");
            }
            i++;
            digits++;
        }
        if (digits == 0) {
            throw new DatasetFormatException(file, "bad header: expected the " + what);
        }
        pos[0] = i;
        return (int) v;
    }

    /**
     * Crops {@code [x1, x2] × [y1, y2]} (inclusive, clamped to the image) and resizes to 32×32 with
     * bilinear interpolation at pixel centres (OpenCV's INTER_LINEAR, PyTorch's align_corners=False),
     * writing channel-planar bytes into {@code out} at {@code offset}.
     */
    static void toPlanar32(Image img, int x1, int y1, int x2, int y2, byte[] out, int offset) {
        x1 = Math.max(0, Math.min(x1, img.width() - 1));
        x2 = Math.max(x1, Math.min(x2, img.width() - 1));
        y1 = Math.max(0, Math.min(y1, img.height() - 1));
        y2 = Math.max(y1, Math.min(y2, img.height() - 1));
        int w = x2 - x1 + 1;
        int h = y2 - y1 + 1;
        double sx = w / 32.0;
        double sy = h / 32.0;
        for (int y = 0; y < 32; y++) {
            double fy = Math.max(0, Math.min(h - 1, (y + 0.5) * sy - 0.5));
            int y0 = (int) Math.floor(fy);
            int y1n = Math.min(h - 1, y0 + 1);
            double ty = fy - y0;
            for (int x = 0; x < 32; x++) {
                double fx = Math.max(0, Math.min(w - 1, (x + 0.5) * sx - 0.5));
                int x0 = (int) Math.floor(fx);
                int x1n = Math.min(w - 1, x0 + 1);
                double tx = fx - x0;
                for (int c = 0; c < 3; c++) {
                    double a = sample(img, x1 + x0, y1 + y0, c);
                    double b = sample(img, x1 + x1n, y1 + y0, c);
                    double cc = sample(img, x1 + x0, y1 + y1n, c);
                    double d = sample(img, x1 + x1n, y1 + y1n, c);
                    double v = (a * (1 - tx) + b * tx) * (1 - ty) + (cc * (1 - tx) + d * tx) * ty;
                    out[offset + c * 1024 + y * 32 + x] = (byte) Math.max(0, Math.min(255, Math.round(v)));
                }
            }
        }
    }

    private static int sample(Image img, int x, int y, int c) {
        return img.rgb()[(y * img.width() + x) * 3 + c] & 0xFF;
    }
}
