package org.dl4jvae.app;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** latent-plot's projection: points spread along a known direction land along the first principal component. */
class PrincipalComponentsTest {

    @Test
    void theFirstComponentIsTheDirectionOfMostSpread() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 500;
        double[][] points = new double[n][5];
        double[] along = new double[n];
        for (int i = 0; i < n; i++) {
            along[i] = rng.nextGaussian() * 5; // large spread along (1, 1, 0, 0, 0) / sqrt(2)
            double across = rng.nextGaussian() * 2; // less along (0, 0, 1, 0, 0)
            points[i] = new double[] {3 + along[i] / Math.sqrt(2), -1 + along[i] / Math.sqrt(2), 7 + across,
                rng.nextGaussian() * 0.1, rng.nextGaussian() * 0.1};
        }
        double[][] xy = LatentPlotCommand.principalComponents(points, 2);
        double sign = Math.signum(xy[0][0] * along[0]);
        double mean = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(along[i], sign * xy[i][0], 1.0, "point " + i + ": its position along the main direction");
            mean += xy[i][1] / n;
        }
        assertEquals(0, mean, 1e-9, "centred");
    }
}
