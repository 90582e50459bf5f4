package org.dl4jvae.model.samediff;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/** Which outputs copy an input, and what is left of their ops gives ND4J's own numbers. */
class CopiesTest {

    private static final boolean[] NO_ZEROS = {false, false, false};

    private static int[] of(String op, INDArray[] in, INDArray[] out, boolean[] zeros) {
        long[][] shapes = new long[out.length][];
        DataType[] types = new DataType[out.length];
        for (int i = 0; i < out.length; i++) {
            shapes[i] = out[i].shape();
            types[i] = out[i].dataType();
        }
        return Copies.of(op, in, shapes, types, zeros);
    }

    /** ND4J's own op on fresh output arrays like {@code like}. */
    private static INDArray[] nd4j(String op, INDArray[] in, INDArray... like) {
        INDArray[] out = new INDArray[like.length];
        for (int i = 0; i < like.length; i++) {
            out[i] = Nd4j.create(like[i].dataType(), like[i].shape());
        }
        OpContext ctx = Nd4j.getExecutioner().buildContext();
        ctx.setInputArrays(in);
        ctx.setOutputArrays(out);
        Nd4j.exec(DynamicCustomOp.builder(op).build(), ctx);
        return out;
    }

    private static float[] bits(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    @Test
    void theCopiesOfSumsDifferencesAndAddedZeros() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 5);
        INDArray b = Nd4j.rand(DataType.FLOAT, 5);
        INDArray g = Nd4j.rand(DataType.FLOAT, 6, 5);
        INDArray[] bias = {x, b, g};
        assertArrayEquals(new int[] {2, Copies.NONE}, of("add_bp", bias, new INDArray[] {x, b}, NO_ZEROS));
        INDArray[] equal = {x, x.dup(), g};
        assertArrayEquals(new int[] {2, 2}, of("add_bp", equal, new INDArray[] {x, x}, NO_ZEROS));
        assertArrayEquals(new int[] {2, Copies.NONE}, of("subtract_bp", equal, new INDArray[] {x, x}, NO_ZEROS));
        INDArray[] broadcastX = {b, x, g};
        assertArrayEquals(new int[] {Copies.NONE, 2}, of("add_bp", broadcastX, new INDArray[] {b, x}, NO_ZEROS));
        assertArrayEquals(new int[] {Copies.NONE, Copies.NONE}, of("multiply_bp", equal, new INDArray[] {x, x}, NO_ZEROS));
        assertArrayEquals(new int[] {Copies.NONE, 2},
                of("add_bp", equal, new INDArray[] {x.castTo(DataType.DOUBLE), x}, NO_ZEROS), "another type");
        INDArray[] sum = {x, g};
        assertArrayEquals(new int[] {0}, of("add", sum, new INDArray[] {x}, new boolean[] {false, true}));
        assertArrayEquals(new int[] {1}, of("add", sum, new INDArray[] {x}, new boolean[] {true, false}));
        assertArrayEquals(new int[] {Copies.NONE}, of("add", sum, new INDArray[] {x}, new boolean[] {false, false}));
        INDArray[] zeroRow = {x, Nd4j.zeros(DataType.FLOAT, 5)}; // x + 0 broadcast: still x, but b is no copy of the sum
        assertArrayEquals(new int[] {0}, of("add", zeroRow, new INDArray[] {x}, new boolean[] {false, true}));
        INDArray[] zeroMatrix = {Nd4j.zeros(DataType.FLOAT, 5), x}; // 0 + x where 0 is a row: the output is x
        assertArrayEquals(new int[] {1}, of("add", zeroMatrix, new INDArray[] {x}, new boolean[] {true, false}));
    }

    /** Below the large batches the bias's gradient is ND4J's reduction, the one add_bp runs, to the bit. */
    @Test
    void aBiasGradientAloneIsAddBpsOwnAndTheLargeBatchesSumRows() {
        Nd4j.getRandom().setSeed(11);
        for (int rows : new int[] {128, 96, 16, 255, 300}) {
            for (int cols : new int[] {400, 784, 20}) {
                for (boolean rowBias : new boolean[] {false, true}) {
                    INDArray x = Nd4j.randn(DataType.FLOAT, rows, cols);
                    INDArray b = rowBias ? Nd4j.randn(DataType.FLOAT, 1, cols) : Nd4j.randn(DataType.FLOAT, cols);
                    INDArray g = Nd4j.randn(DataType.FLOAT, rows, cols);
                    INDArray[] in = {x, b, g};
                    INDArray[] want = nd4j("add_bp", in, x, b);
                    for (boolean inRows : new boolean[] {false, true}) {
                        INDArray gb = Nd4j.create(DataType.FLOAT, b.shape());
                        Runnable rest = Copies.rest("add_bp", in, new INDArray[] {g, gb}, new boolean[] {true, false},
                                new boolean[2], inRows);
                        assertNotNull(rest);
                        rest.run();
                        String where = rows + " x " + cols + (rowBias ? ", bias [1, h]" : "") + (inRows ? ", rows" : "");
                        if (inRows) {
                            assertTrue(want[1].equalsWithEps(gb, 1e-3), where);
                        } else {
                            assertArrayEquals(bits(want[1]), bits(gb), where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void whatIsLeftOfADifferenceIsItsNegatedGradientAndOfCopiesNothing() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 7, 3);
        INDArray y = Nd4j.randn(DataType.FLOAT, 7, 3);
        INDArray g = Nd4j.randn(DataType.FLOAT, 7, 3);
        INDArray[] in = {x, y, g};
        INDArray[] want = nd4j("subtract_bp", in, x, y);
        assertArrayEquals(bits(want[0]), bits(g), "the first gradient is a copy");
        INDArray gy = Nd4j.create(DataType.FLOAT, 7, 3);
        Copies.rest("subtract_bp", in, new INDArray[] {g, gy}, new boolean[] {true, false}, new boolean[2], false).run();
        assertArrayEquals(bits(want[1]), bits(gy));

        INDArray gx = Nd4j.zeros(DataType.FLOAT, 7, 3);
        Runnable nothing = Copies.rest("subtract_bp", in, new INDArray[] {g, null}, new boolean[] {true, false},
                new boolean[] {false, true}, false);
        nothing.run();
        assertEquals(0.0, gx.sumNumber().doubleValue(), 0.0);
        assertNotNull(Copies.rest("add_bp", in, new INDArray[] {g, g}, new boolean[] {true, true}, new boolean[2], false));
        // a needed output that is no copy, and a second one: the op runs as it is
        assertNull(Copies.rest("add_bp", in, new INDArray[] {gx, gy}, new boolean[] {false, false}, new boolean[2], false));
        // y broadcast: its gradient is a sum of -g, left to ND4J
        INDArray row = Nd4j.randn(DataType.FLOAT, 3);
        assertNull(Copies.rest("subtract_bp", new INDArray[] {x, row, g}, new INDArray[] {g, row.dup()},
                new boolean[] {true, false}, new boolean[2], false));
        assertNull(Copies.rest("multiply_bp", in, new INDArray[] {g, gy}, new boolean[] {true, false}, new boolean[2], false));
    }
}
