package org.dl4jvae.app;

/** Principal components of a small dense matrix (rows are points), by power iteration with deflation. */
final class Pca {

    private Pca() {
    }

    /** The points projected on their first {@code k} principal components. */
    static double[][] project(double[][] points, int k) {
        int n = points.length;
        int d = points[0].length;
        double[] mean = new double[d];
        for (double[] p : points) {
            for (int j = 0; j < d; j++) {
                mean[j] += p[j] / n;
            }
        }
        double[][] cov = new double[d][d];
        for (double[] p : points) {
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    cov[a][b] += (p[a] - mean[a]) * (p[b] - mean[b]) / (n - 1);
                }
            }
        }
        double[][] components = new double[k][];
        for (int c = 0; c < k; c++) {
            double[] v = new double[d];
            java.util.Arrays.fill(v, 1 / Math.sqrt(d));
            v[c % d] += 0.5; // break symmetry deterministically
            double lambda = 0;
            for (int iter = 0; iter < 500; iter++) {
                double[] w = new double[d];
                for (int a = 0; a < d; a++) {
                    for (int b = 0; b < d; b++) {
                        w[a] += cov[a][b] * v[b];
                    }
                }
                double norm = Math.sqrt(java.util.Arrays.stream(w).map(x -> x * x).sum());
                if (norm == 0) {
                    break;
                }
                for (int a = 0; a < d; a++) {
                    w[a] /= norm;
                }
                lambda = norm;
                v = w;
            }
            components[c] = v;
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    cov[a][b] -= lambda * v[a] * v[b];
                }
            }
        }
        double[][] out = new double[n][k];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += (points[i][j] - mean[j]) * components[c][j];
                }
                out[i][c] = s;
            }
        }
        return out;
    }
}
