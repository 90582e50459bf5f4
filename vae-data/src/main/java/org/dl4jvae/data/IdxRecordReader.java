package org.dl4jvae.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.datavec.api.conf.Configuration;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataIndex;
import org.datavec.api.records.reader.BaseRecordReader;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.FloatWritable;
import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.Writable;
import org.dl4jvae.data.idx.IdxReader;

/**
 * A DataVec {@code RecordReader} over an IDX image/label pair: each record is the image's pixels scaled to [0,1]
 * followed by its integer label, so {@code new RecordReaderDataSetIterator(reader, batch, pixels, classes)} works.
 *
 * <p>Initialise it with an {@link InputSplit} holding the two files (in either order; they are told apart by their
 * headers), or directly with an {@link ImageSet}.
 */
public final class IdxRecordReader extends BaseRecordReader {

    private final int numClasses;
    private ImageSet data;
    private URI source;
    private int cursor;

    /** A reader for 10-class data (MNIST, Fashion-MNIST). */
    public IdxRecordReader() {
        this(10);
    }

    public IdxRecordReader(int numClasses) {
        this.numClasses = numClasses;
    }

    @Override
    public void initialize(InputSplit split) throws IOException {
        URI[] locations = split.locations();
        if (locations.length != 2) {
            throw new IOException("an IDX split needs exactly two files (images and labels), got " + locations.length);
        }
        Path a = Path.of(locations[0]);
        Path b = Path.of(locations[1]);
        boolean aIsImages = IdxReader.dimensions(a) == 3;
        Path images = aIsImages ? a : b;
        initialize(ImageSet.read(images, aIsImages ? b : a, numClasses));
        this.source = images.toUri();
        this.inputSplit = split;
    }

    @Override
    public void initialize(Configuration conf, InputSplit split) throws IOException {
        initialize(split);
    }

    /** Serves records from images already in memory. */
    public void initialize(ImageSet images) {
        this.data = images;
        this.cursor = 0;
    }

    @Override
    public List<Writable> next() {
        return nextRecord().getRecord();
    }

    @Override
    public boolean hasNext() {
        return data != null && cursor < data.size();
    }

    @Override
    public Record nextRecord() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more records");
        }
        int i = cursor++;
        Record r = new org.datavec.api.records.impl.Record(record(i), new RecordMetaDataIndex(i, source, IdxRecordReader.class));
        invokeListeners(r);
        return r;
    }

    private List<Writable> record(int i) {
        int d = data.imageSize();
        List<Writable> out = new ArrayList<>(d + 1);
        byte[] pixels = data.pixels();
        for (int p = 0; p < d; p++) {
            out.add(new FloatWritable((pixels[i * d + p] & 0xff) / 255f));
        }
        out.add(new IntWritable(data.label(i)));
        return out;
    }

    @Override
    public List<String> getLabels() {
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            labels.add(Integer.toString(c));
        }
        return labels;
    }

    @Override
    public void reset() {
        cursor = 0;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public List<Writable> record(URI uri, DataInputStream dataInputStream) {
        throw new UnsupportedOperationException("IDX records are not self-contained; initialise with the file pair");
    }

    @Override
    public Record loadFromMetaData(RecordMetaData recordMetaData) {
        int i = (int) ((RecordMetaDataIndex) recordMetaData).getIndex();
        return new org.datavec.api.records.impl.Record(record(i), recordMetaData);
    }

    @Override
    public List<Record> loadFromMetaData(List<RecordMetaData> recordMetaDatas) {
        List<Record> out = new ArrayList<>();
        for (RecordMetaData m : recordMetaDatas) {
            out.add(loadFromMetaData(m));
        }
        return out;
    }

    @Override
    public void close() {
        data = null;
    }

    @Override
    public void setConf(Configuration conf) {
    }

    @Override
    public Configuration getConf() {
        return null;
    }
}
