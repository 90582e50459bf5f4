package org.dl4jvae.data.csv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaDataLine;
import org.datavec.api.records.reader.impl.csv.CSVRecordReader;
import org.datavec.api.split.FileSplit;
import org.datavec.api.writable.Writable;
import org.dl4jvae.data.BadDataException;
import org.dl4jvae.data.ImageSet;
import org.dl4jvae.data.Shape;

/**
 * A CSV file of numeric feature vectors, one example per row, read with DataVec's {@link CSVRecordReader}: comma
 * separated, optionally quoted, an optional header (detected: a first row with a cell that is not a number), an optional
 * label column. Labels that are all whole numbers from 0 are the class numbers; other labels are class names, numbered
 * in sorted order. Every defect (ragged rows, a non-numeric cell, an empty table, an unknown label) is a
 * {@link BadDataException} naming the file, and the row and column where it applies.
 */
public final class CsvTable {

    /** The columns of a table: their names (header or numbers) and which one holds the label, if any. */
    public record Columns(List<String> names, int labelColumn, boolean header) {
        /** The number of feature columns. */
        public int features() {
            return names.size() - (labelColumn >= 0 ? 1 : 0);
        }
    }

    private CsvTable() {
    }

    /**
     * Reads a table.
     *
     * @param labelColumn the label column's header name or 1-based number; null for none
     * @param classes the class names to number labels by (a training table's, for its test table), or null to take
     *     them from this table
     */
    public static ImageSet read(Path file, String labelColumn, List<String> classes) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            throw new BadDataException(file, "no such file");
        }
        try {
            CSVRecordReader reader = new CSVRecordReader(0, ',');
            reader.initialize(new FileSplit(file.toFile()));
            while (reader.hasNext()) {
                Record r = reader.nextRecord();
                List<String> cells = r.getRecord().stream().map(Writable::toString).toList();
                if (cells.size() == 1 && cells.get(0).isBlank()) {
                    continue; // a blank line (often the last one)
                }
                rows.add(cells);
                lines.add(r.getMetaData() instanceof RecordMetaDataLine m ? m.getLineNumber() + 1 : rows.size());
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw new BadDataException(file, "cannot read as CSV: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new BadDataException(file, "the table is empty");
        }
        Columns columns = columns(file, rows.get(0), labelColumn);
        int first = columns.header() ? 1 : 0;
        int n = rows.size() - first;
        if (n == 0) {
            throw new BadDataException(file, "the table has a header but no rows");
        }
        int width = columns.names().size();
        int d = columns.features();
        if (d == 0) {
            throw new BadDataException(file, "the table has no feature column besides the label");
        }
        float[] values = new float[n * d];
        String[] labelText = new String[n];
        for (int i = 0; i < n; i++) {
            List<String> cells = rows.get(first + i);
            int line = lines.get(first + i);
            if (cells.size() != width) {
                throw new BadDataException(file, "row " + line + " has " + cells.size() + " cells, the first row has "
                        + width + " (every row needs the same columns)");
            }
            int at = i * d;
            for (int c = 0; c < width; c++) {
                String cell = cells.get(c).trim();
                if (c == columns.labelColumn()) {
                    labelText[i] = cell;
                    continue;
                }
                Double v = number(cell);
                if (v == null || !Double.isFinite(v)) {
                    throw new BadDataException(file, "row " + line + ", column " + (c + 1) + " (" + columns.names().get(c)
                            + "): '" + cell + "' is not a " + (v == null ? "number" : "finite number"));
                }
                values[at++] = v.floatValue();
            }
        }
        if (columns.labelColumn() < 0) {
            return ImageSet.ofFloats(Shape.features(d), 0, null, values, new byte[n]);
        }
        List<String> names = classes != null ? classes : classNames(labelText);
        if (names.size() > ImageSet.MAX_CLASSES) {
            throw new BadDataException(file, "the label column has " + names.size() + " classes; at most "
                    + ImageSet.MAX_CLASSES + " are supported");
        }
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = names.indexOf(canonical(labelText[i]));
            if (label < 0) {
                throw new BadDataException(file, "row " + lines.get(first + i) + ": label '" + labelText[i]
                        + "' is not one of the training data's classes " + names);
            }
            labels[i] = (byte) label;
        }
        return ImageSet.ofFloats(Shape.features(d), names.size(), names, values, labels);
    }

    /** The columns, from the first row: a header when one of its feature cells is not a number. */
    static Columns columns(Path file, List<String> firstRow, String labelColumn) throws BadDataException {
        List<String> cells = firstRow.stream().map(String::trim).toList();
        int label = -1;
        boolean named = false;
        if (labelColumn != null) {
            try {
                label = Integer.parseInt(labelColumn.trim()) - 1;
                if (label < 0 || label >= cells.size()) {
                    throw new BadDataException(file, "--label-column " + labelColumn + " is not a column: the table has "
                            + cells.size() + " columns (1 = the first)");
                }
            } catch (NumberFormatException e) {
                label = cells.indexOf(labelColumn.trim());
                named = true;
                if (label < 0) {
                    throw new BadDataException(file, "--label-column '" + labelColumn + "' is not a column of the header "
                            + cells);
                }
            }
        }
        boolean header = named;
        for (int c = 0; c < cells.size() && !header; c++) {
            header = c != label && number(cells.get(c)) == null;
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < cells.size(); c++) {
            names.add(header ? cells.get(c) : "column " + (c + 1));
        }
        return new Columns(names, label, header);
    }

    /** Class names of a label column: 0..max when all labels are whole numbers from 0, else the sorted distinct texts. */
    private static List<String> classNames(String[] labels) {
        boolean numbers = true;
        int max = -1;
        for (String l : labels) {
            Integer v = wholeNumber(l);
            if (v == null || v < 0) {
                numbers = false;
                break;
            }
            max = Math.max(max, v);
        }
        if (numbers) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i <= max; i++) {
                names.add(Integer.toString(i));
            }
            return names;
        }
        return List.copyOf(new TreeSet<>(java.util.Arrays.asList(labels)));
    }

    /** A label as a class name: whole numbers written plainly ("3.0" is class "3"). */
    private static String canonical(String label) {
        Integer v = wholeNumber(label);
        return v != null && v >= 0 ? Integer.toString(v) : label;
    }

    private static Integer wholeNumber(String text) {
        Double v = number(text);
        return v != null && v == Math.rint(v) && Math.abs(v) < 1e9 ? (int) v.doubleValue() : null;
    }

    /** Decimal numbers as CSV files write them (Java's parser would also take "1f", "0x1p3"); NaN and infinities too. */
    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile(
            "[+-]?((\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|nan|inf|infinity)", java.util.regex.Pattern.CASE_INSENSITIVE);

    private static Double number(String text) {
        String t = text.trim();
        if (!NUMBER.matcher(t).matches()) {
            return null;
        }
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.endsWith("nan")) {
            return Double.NaN;
        }
        if (lower.endsWith("inf") || lower.endsWith("infinity")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(t);
    }
}
