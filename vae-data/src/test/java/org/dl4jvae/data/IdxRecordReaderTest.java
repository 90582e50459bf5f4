package org.dl4jvae.data;

import static org.dl4jvae.data.TestIdx.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.datavec.api.split.CollectionInputSplit;
import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

class IdxRecordReaderTest {

    @TempDir
    Path dir;

    @Test
    void worksWithDataVecsOwnDataSetIterator() throws Exception {
        Path img = write(dir, "img.gz", gzip(images(30, 28, 28)));
        Path lab = write(dir, "lab", labels(30));
        IdxRecordReader rr = new IdxRecordReader();
        rr.initialize(new CollectionInputSplit(List.of(lab.toUri(), img.toUri()))); // order does not matter
        RecordReaderDataSetIterator it = new RecordReaderDataSetIterator(rr, 12, 784, 10);

        MinibatchIterator ours = MinibatchIterator.builder(ImageSet.read(img, lab, 10)).batchSize(12)
                .shuffle(false).build();
        int batches = 0;
        while (it.hasNext()) {
            DataSet theirs = it.next();
            DataSet mine = ours.next();
            assertEquals(mine.getFeatures().castTo(theirs.getFeatures().dataType()), theirs.getFeatures());
            assertEquals(mine.getLabels().castTo(theirs.getLabels().dataType()), theirs.getLabels());
            batches++;
        }
        assertEquals(3, batches);
        assertFalse(ours.hasNext());
        it.reset();
        assertTrue(it.hasNext());
    }

    @Test
    void recordIsPixelsThenLabelAndMetadataReloads() throws Exception {
        Path img = write(dir, "img", images(3, 2, 2));
        Path lab = write(dir, "lab", labels(3));
        IdxRecordReader rr = new IdxRecordReader();
        rr.initialize(new CollectionInputSplit(List.of(img.toUri(), lab.toUri())));
        rr.next();
        var rec = rr.nextRecord();
        assertEquals(5, rec.getRecord().size());
        assertEquals(7 / 255f, rec.getRecord().get(0).toFloat(), 1e-7);
        assertEquals(1, rec.getRecord().get(4).toInt());
        assertEquals(rec.getRecord(), rr.loadFromMetaData(rec.getMetaData()).getRecord());
    }
}
