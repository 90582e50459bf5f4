package org.dl4jvae.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The expected values are PyTorch 1.13.1's (Debian's python3-torch), printed by {@code torch.manual_seed(s)} followed by
 * the call named in each test.
 */
class TorchGeneratorTest {

    private static final float ULP = 2e-7f;

    @Test
    void mersenneTwisterMatchesItsReferenceOutput() {
        // the C++ standard's check: the 10000th output of mt19937 with the default seed 5489
        TorchGenerator g = new TorchGenerator(5489);
        long w = 0;
        for (int i = 0; i < 10000; i++) {
            w = g.nextWord();
        }
        assertEquals(4123659995L, w);
    }

    @Test
    void uniformAndPermutationAreTorchsToTheBit() {
        assertArrayEquals(new float[] {0.7576315999031067f, 0.2793108820915222f, 0.40306925773620605f},
                new TorchGenerator(1).uniform(3, 0, 1)); // torch.rand(3)
        assertArrayEquals(new int[] {5, 6, 1, 2, 0, 8, 9, 3, 7, 4}, new TorchGenerator(1).randperm(10));
    }

    @Test
    void normalBlocksAndTheirTail() {
        float[] n = new TorchGenerator(1).normal(20); // torch.randn(20): one block of 16, the last 16 redrawn
        assertEquals(-1.5255959033966064f, n[0], ULP);
        assertEquals(-0.7502318024635315f, n[1], ULP);
        assertEquals(-0.6539809107780457f, n[2], ULP);
        assertEquals(0.33573052287101746f, n[17], ULP);
        assertEquals(0.2753335237503052f, n[18], ULP);
        assertEquals(1.7163026332855225f, n[19], 2 * ULP);
    }

    @Test
    void fewNormalsComeOneByOneWithTheSecondOfEachPairKept() {
        TorchGenerator g = new TorchGenerator(1);
        assertArrayEquals(new float[] {0.6613521575927734f, 0.266924113035202f, 0.06167725846171379f}, g.normal(3));
        assertArrayEquals(new float[] {0.6213173270225525f, -0.4519059658050537f, -0.16613022983074188f}, g.normal(3));
    }

    @Test
    void aLinearLayersInitialWeights() {
        // torch.manual_seed(1); nn.Linear(4, 3): weight [3, 4] then bias, uniform in +-1/sqrt(4)
        TorchGenerator g = new TorchGenerator(1);
        assertArrayEquals(new float[] {0.2576315999031067f, -0.22068911790847778f, -0.09693074226379395f,
            0.23468446731567383f, -0.4707184433937073f, 0.29985862970352173f, -0.1028626561164856f,
            0.2543719410896301f, 0.06950849294662476f, -0.061222076416015625f, 0.13868045806884766f,
            0.024665892124176025f}, g.uniform(12, -0.5, 0.5));
        assertArrayEquals(new float[] {0.18261408805847168f, -0.19485050439834595f, -0.03645437955856323f},
                g.uniform(3, -0.5, 0.5));
    }

    @Test
    void aRestoredStateContinuesTheStream() {
        TorchGenerator a = new TorchGenerator(3);
        a.normal(5); // leaves a cached second value
        a.randperm(700); // past one twist of the state
        TorchGenerator b = new TorchGenerator(99);
        b.restore(a.state());
        assertArrayEquals(a.normal(7), b.normal(7));
        assertArrayEquals(a.uniform(40, -1, 1), b.uniform(40, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> b.restore("AAAA"));
        assertThrows(IllegalArgumentException.class, () -> b.restore("not base64!"));
    }
}
